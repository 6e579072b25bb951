// SCALE-Sim importers on SCALE-Sim's own files (tests/data/scalesim, see its
// README) and on malformed input: every error names the file and line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "hw_models/numerics/errors.hpp"
#include "workloads/importers/scalesim_config.hpp"
#include "workloads/importers/scalesim_topology.hpp"

namespace nibble::workload {
namespace {

using ::testing::HasSubstr;

std::filesystem::path data(const std::string& name) {
  return std::filesystem::path(NIBBLE_SOURCE_DIR) / "tests/data/scalesim" / name;
}

std::string topology_error(const std::string& text) {
  try {
    parse_scalesim_topology(text, "t.csv");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ImporterScaleSim, ConvTopologyResnet18) {
  const auto r = read_scalesim_topology(data("Resnet18.csv"));
  ASSERT_EQ(r.form, TopologyForm::conv);
  ASSERT_EQ(r.workload.ops.size(), 21u);
  // Conv1: 224x224, 7x7, stride 2: SCALE-Sim's ceil((224-7+2)/2) = 110 output
  // rows (an unpadded convolution has 109): the import reproduces SCALE-Sim.
  const Op& conv1 = r.workload.ops[0];
  EXPECT_EQ(conv1.name, "Conv1");
  EXPECT_EQ(conv1.conv.out_height(), 110u);
  // The op's IFMAP is 7 + 109 * 2 = 225 rows; SCALE-Sim's true 224 is kept
  // for its USER read buffers' addresses (its last windows read past it).
  EXPECT_EQ(conv1.conv.in_height, 225u);
  EXPECT_EQ(conv1.conv.scalesim_height, 224u);
  EXPECT_EQ(conv1.conv.scalesim_width, 224u);
  EXPECT_EQ(r.workload.ops[1].conv.scalesim_height, 0u);  // 56 - 3 divides by 1: none
  EXPECT_EQ(*gemm_of(conv1), (GemmShape{.m = 110 * 110, .n = 64, .k = 147, .count = 1}));
  // Conv2_1a: 56x56 3x3 unpadded -> 54x54 (SCALE-Sim's convention, not PyTorch's).
  EXPECT_EQ(*gemm_of(r.workload.ops[1]), (GemmShape{.m = 54 * 54, .n = 64, .k = 576, .count = 1}));
  const Op& fc = r.workload.ops.back();
  EXPECT_EQ(*gemm_of(fc), (GemmShape{.m = 1, .n = 1000, .k = 512, .count = 1}));
}

TEST(ImporterScaleSim, GemmTopologyGpt2) {
  const auto r = read_scalesim_topology(data("gpt2.csv"), Precision::fp16);
  ASSERT_EQ(r.form, TopologyForm::gemm);
  ASSERT_EQ(r.workload.ops.size(), 6u);
  EXPECT_EQ(r.workload.ops[0].gemm, (GemmShape{.m = 1024, .n = 1024, .k = 64, .count = 1}));
  EXPECT_EQ(r.workload.ops[2].gemm, (GemmShape{.m = 1024, .n = 4800, .k = 1600, .count = 1}));
  EXPECT_EQ(r.workload.ops[0].precision, Precision::fp16);
}

TEST(ImporterScaleSim, TrailingCommaAndBlankLinesAccepted) {
  const auto r = parse_scalesim_topology("Layer, M, N, K,\n\nA, 2, 3, 4,\r\nB,5,6,7\n", "t.csv");
  ASSERT_EQ(r.workload.ops.size(), 2u);
  EXPECT_EQ(r.workload.ops[1].gemm.macs(), 5u * 6 * 7);
}

// The three shipped topologies with a 9th column, read as SCALE-Sim reads
// them (topology_utils.py: row.strip().split(',')[:-1], a 9th value is the
// column stride): a trailing "#dw" comment (conv_nets/mobilnet_paper.csv), a
// 9th value equal to the stride (mlperf/div4q/Sentimental_seqLSTM_short.csv)
// and a 9-column header, BOM first (transformer/transformer_fwd.csv).
TEST(ImporterScaleSim, NinthColumnReadAsScaleSimDoes) {
  const std::string conv_header =
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
      "Filter, Strides,\n";
  auto r =
      parse_scalesim_topology(conv_header + "\nConv2_dw, 112, 112, 3, 3, 1, 1, 2,#dw\n", "t.csv");
  ASSERT_EQ(r.workload.ops.size(), 1u);
  EXPECT_EQ(r.workload.ops[0].conv.stride, 2u);
  EXPECT_EQ(r.workload.ops[0].conv.out_height(), 56u);  // ceil((112 - 3 + 2) / 2)
  r = parse_scalesim_topology(conv_header + "LSTM1_ptwise,1,1,1,1,1,1024,1,1, \n", "t.csv");
  ASSERT_EQ(r.workload.ops.size(), 1u);
  EXPECT_EQ(*gemm_of(r.workload.ops[0]), (GemmShape{.m = 1, .n = 1024, .k = 1, .count = 1}));
  r = parse_scalesim_topology(
      "\xEF\xBB\xBFLayer name,Ifmap height,ifmap width,filter height,filter width,channels,num "
      "filters,strides,batch size,\nconv1,224,224,7,7,3,64,1,\n",
      "t.csv");
  ASSERT_EQ(r.form, TopologyForm::conv);
  EXPECT_EQ(*gemm_of(r.workload.ops[0]),
            (GemmShape{.m = 218 * 218, .n = 64, .k = 147, .count = 1}));
  // A column stride other than the row stride is refused, naming the rule.
  EXPECT_THAT(topology_error(conv_header + "c,8,8,3,3,1,1,1,2,\n"),
              HasSubstr("t.csv:2: Stride Width: expected 1 (the same as Strides), found 2"));
  EXPECT_THAT(topology_error(conv_header + "c,8,8,3,3,1,1,1,1,1,\n"),
              HasSubstr("t.csv:2: expected 8 fields"));
  // A dropped comment leaves too few values: the message says what was dropped.
  EXPECT_THAT(topology_error("Layer, M, N, K,\nA,1,2,x\n"),
              HasSubstr("found 3 (after dropping \"x\", the text after the last comma"));
}

TEST(ImporterScaleSim, BadRowsNameFileAndLine) {
  const std::string h = "Layer, M, N, K,\n";
  EXPECT_THAT(topology_error(h + "A,1,2,3,\nB,1,x,3,\n"),
              HasSubstr("t.csv:3: N: expected a positive integer, found \"x\""));
  EXPECT_THAT(topology_error(h + "A,1,2,\n"), HasSubstr("t.csv:2: expected 4 fields"));
  EXPECT_THAT(topology_error(h + "A,1,2,0,\n"), HasSubstr("t.csv:2: K"));
  // A repeated name is another layer, as in SCALE-Sim (renamed "<name>#2").
  EXPECT_EQ(topology_error(h + "A,1,2,3\nA,1,2,3\n"), "no error");
  EXPECT_THAT(topology_error("Name, H, W\n"), HasSubstr("t.csv:1: expected a SCALE-Sim header"));
  EXPECT_THAT(topology_error(h), HasSubstr("no layers"));
  EXPECT_THAT(topology_error("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                             "Channels, Num Filter, Strides,\nc,2,2,3,3,1,1,1,\n"),
              HasSubstr("t.csv:2: filter 3x3 is larger than the 2x2 IFMAP"));
}

TEST(ImporterScaleSim, ConfigGoogleCalc) {
  const auto cfg = read_scalesim_config(data("google.cfg"));
  EXPECT_EQ(cfg.run_name, "GoogleTPU_v1_ws");
  EXPECT_EQ(cfg.array_height, 256u);
  EXPECT_EQ(cfg.array_width, 256u);
  EXPECT_EQ(cfg.dataflow, "ws");
  EXPECT_TRUE(cfg.calc_bandwidth);
  // SRAM/DRAM row and bank sizes have no Nibble counterpart: reported.
  EXPECT_EQ(cfg.ignored.size(), 4u);
  const auto chip = scalesim_chip_json(cfg, "tech.json");
  EXPECT_EQ(chip["cores"][0]["scratchpad"]["size_kib"], 6144 + 6144 + 2048);
  EXPECT_EQ(chip["cores"][0]["array"]["macs_per_cycle_per_pe"]["int4_int4"], 1);
  EXPECT_EQ(chip["dram"]["latency_ns"], 0);
  // SCALE-Sim's SRAM feeds the array every clock: the widest feed clock of a
  // 256x256 array is (256 + 256) operands x 2 B + 256 psums x (4 B read + 4 B
  // write) = 3072 B = 96 bank clocks of 2 x 16 B, so 128 banks (a power of
  // two at least MemoryBanks = 1); 14336 KiB is already whole 2 KiB rows.
  EXPECT_EQ(chip["cores"][0]["scratchpad"]["banks"], 128);
  EXPECT_EQ(chip["cores"][0]["scratchpad"]["ports_per_bank"], 2);
  EXPECT_EQ(chip["cores"][0]["scratchpad"]["bank_width_bytes"], 16);
}

TEST(ImporterScaleSim, ConfigUserBandwidth) {
  const auto cfg = read_scalesim_config(data("scale_user_os.cfg"));
  EXPECT_FALSE(cfg.calc_bandwidth);
  EXPECT_EQ(cfg.dataflow, "os");
  // 64 one-byte words per cycle at 1 GHz = 64 GB/s.
  EXPECT_DOUBLE_EQ(scalesim_chip_json(cfg, "t.json")["dram"]["bandwidth_gb_per_s"].get<double>(),
                   64.0);
}

TEST(ImporterScaleSim, ConfigErrorsNameLine) {
  const std::string base =
      "[architecture_presets]\nArrayHeight: 8\nArrayWidth: 8\nIfmapSramSzkB: 1\n"
      "FilterSramSzkB: 1\nOfmapSramSzkB: 1\n";
  const auto err = [](const std::string& text) -> std::string {
    try {
      parse_scalesim_config(text, "c.cfg");
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_THAT(err(base + "Dataflow: rs\n"), HasSubstr("c.cfg:7: Dataflow: expected os, ws or is"));
  EXPECT_THAT(err(base), HasSubstr("has no Dataflow"));
  EXPECT_THAT(err("[architecture_presets]\nArrayHeight: -8\n"), HasSubstr("c.cfg:2: ArrayHeight"));
  EXPECT_THAT(err(base + "Dataflow: ws\n[run_presets]\nInterfaceBandwidth: USER\n"),
              HasSubstr("Bandwidth (needed with InterfaceBandwidth: USER)"));
  EXPECT_THAT(err(base + "garbage line\n"), HasSubstr("c.cfg:7: expected \"[section]\""));
  EXPECT_THAT(err("[general]\nrun_name = x\n"), HasSubstr("no [architecture_presets]"));
}

}  // namespace
}  // namespace nibble::workload
