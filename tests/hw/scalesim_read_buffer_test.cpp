// SCALE-Sim v2's USER-bandwidth read buffer (hw_models/scalesim_read_buffer):
//  - the operand address streams against SCALE-Sim's own matrices for three
//    small convs (strides 1, 2 and 3, rectangular filter, partial folds,
//    windows past the IFMAP's edge), on
//    every dataflow: get_prefetch_matrices() flattened as set_fetch_matrix()
//    reads it, and get_demand_matrices() line by line (-1 entries dropped).
//    The expected strings were printed by SCALE-Sim's classes
//    (compute/operand_matrix.py, compute/systolic_compute_{os,ws,is}.py);
//  - the buffer's stalls on a 10-word buffer, worked out by hand from
//    memory/read_buffer.py (see each case).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hw_models/scalesim_read_buffer.hpp"

namespace nibble::hw {
namespace {

struct StreamCase {
  ScaleSimLayerGeometry layer;  // H, W, R, S, C, filters, stride
  uint64_t rows, cols;
  Dataflow df;
  const char* ifmap_prefetch;
  const char* filter_prefetch;
  const char* ifmap_demand;
  const char* filter_demand;
};

const StreamCase kCases[] = {
    {{3, 3, 2, 2, 1, 3, 1},
     3,
     2,
     Dataflow::os,
     "0 1 1 3 2 3 4 4 4 4 5 6 5 -1 7 7 -1 -1 8 -1 -1 -1 -1 -1",
     "0 1 4 2 5 3 6 8 7 9 -1 10 -1 11 -1 -1",
     "0;1,1;3,2,3;4,4,4;5,6;7;;4;5;7;8;;;;0;1,1;3,2,3;4,4,4;5,6;7;;4;5;7;8;;;",
     "0;1,4;2,5;3,6;7;;;0;1,4;2,5;3,6;7;;;8;9;10;11;;;;8;9;10;11;;;"},
    {{3, 3, 2, 2, 1, 3, 1},
     3,
     2,
     Dataflow::ws,
     "0 1 1 3 2 3 4 4 4 4 5 6 5 -1 7 7 -1 -1 8 -1 -1 -1 -1 -1",
     "0 4 1 5 2 6 3 7 8 -1 9 -1 10 -1 11 -1",
     ";;;0;1,1;3,2,3;4,4,4;5,6;7;;;;;4;5;7;8;;;;;;;0;1,1;3,2,3;4,4,4;5,6;7;;;;;4;5;7;8;;;",
     "2,6;1,5;0,4;;;;;;;;;;3,7;;;;;;;;10;9;8;;;;;;;;;;11;;;;;;;"},
    {{3, 3, 2, 2, 1, 3, 1},
     3,
     2,
     Dataflow::is,
     "0 1 1 2 3 4 4 5 3 4 4 5 6 7 7 8",
     "0 4 1 8 5 2 3 9 6 7 -1 10 11 -1 -1 -1 -1 -1",
     "3,4;1,2;0,1;;;;;;;;;4,5;;;;;;;6,7;4,5;3,4;;;;;;;;;7,8;;;;;;",
     ";;;0;4,1;8,5,2;9,6;10;;;;;3;7;11;;;;;;;0;4,1;8,5,2;9,6;10;;;;;3;7;11;;;"},
    {{5, 4, 3, 2, 2, 2, 2},
     2,
     3,
     Dataflow::os,
     "0 1 4 2 5 3 6 8 7 9 12 10 13 11 14 16 15 17 20 18 21 19 22 16 23 17 20 18 21 19 22 24 23 25 "
     "28 26 29 27 30 32 31 33 36 34 37 35 38 39",
     "0 1 12 2 13 -1 3 14 -1 4 15 -1 5 16 -1 6 17 -1 7 18 -1 8 19 -1 9 20 -1 10 21 -1 11 22 -1 23 "
     "-1 -1",
     "0;1,4;2,5;3,6;8,7;9,12;10,13;11,14;16,15;17,20;18,21;19,22;23;;;16;17,20;18,21;19,22;24,23;"
     "25,28;26,29;27,30;32,31;33,36;34,37;35,38;39;;",
     "0;1,12;2,13;3,14;4,15;5,16;6,17;7,18;8,19;9,20;10,21;11,22;23;;;0;1,12;2,13;3,14;4,15;5,16;6,"
     "17;7,18;8,19;9,20;10,21;11,22;23;;"},
    {{5, 4, 3, 2, 2, 2, 2},
     2,
     3,
     Dataflow::ws,
     "0 4 1 16 5 20 17 2 21 6 3 18 7 22 19 8 23 12 9 24 13 28 25 10 29 14 11 26 15 30 27 16 31 20 "
     "17 32 21 36 33 18 37 22 19 34 23 38 35 39",
     "0 12 -1 1 13 -1 2 14 -1 3 15 -1 4 16 -1 5 17 -1 6 18 -1 7 19 -1 8 20 -1 9 21 -1 10 22 -1 11 "
     "23 -1",
     ";;0;4,1;16,5;20,17;21;;;;;2;6,3;18,7;22,19;23;;;;;8;12,9;24,13;28,25;29;;;;;10;14,11;26,15;"
     "30,27;31;;;;;16;20,17;32,21;36,33;37;;;;;18;22,19;34,23;38,35;39;;",
     "1,13;0,12;;;;;;;;3,15;2,14;;;;;;;;5,17;4,16;;;;;;;;7,19;6,18;;;;;;;;9,21;8,20;;;;;;;;11,23;"
     "10,22;;;;;;;"},
    {{5, 4, 3, 2, 2, 2, 2},
     2,
     3,
     Dataflow::is,
     "0 4 16 1 5 17 2 6 18 3 7 19 8 12 24 9 13 25 10 14 26 11 15 27 16 20 32 17 21 33 18 22 34 19 "
     "23 35 20 -1 -1 21 -1 -1 22 -1 -1 23 -1 -1 28 -1 -1 29 -1 -1 30 -1 -1 31 -1 -1 36 -1 -1 37 -1 "
     "-1 38 -1 -1 39 -1 -1",
     "0 12 1 2 13 14 3 4 15 16 5 6 17 18 7 8 19 20 9 10 21 22 11 23",
     "1,5,17;0,4,16;;;;;;3,7,19;2,6,18;;;;;;9,13,25;8,12,24;;;;;;11,15,27;10,14,26;;;;;;17,21,33;"
     "16,20,32;;;;;;19,23,35;18,22,34;;;;;;21;20;;;;;;23;22;;;;;;29;28;;;;;;31;30;;;;;;37;36;;;;;;"
     "39;38;;;;;",
     ";;0;12,1;13;;;;;2;14,3;15;;;;;4;16,5;17;;;;;6;18,7;19;;;;;8;20,9;21;;;;;10;22,11;23;;;;;0;12,"
     "1;13;;;;;2;14,3;15;;;;;4;16,5;17;;;;;6;18,7;19;;;;;8;20,9;21;;;;;10;22,11;23;;"},
    // Stride 3 does not divide H - R = 2: the last windows read past the
    // IFMAP's edge (-1 entries, calc_ifmap_elem_addr()).
    {{4, 5, 2, 2, 1, 2, 3},
     2,
     2,
     Dataflow::os,
     "0 1 3 5 4 6 8 15 9 16 18 -1 19 -1 -1 -1",
     "0 1 4 2 5 3 6 7",
     "0;1,3;5,4;6,8;9;;15;16,18;19;;;",
     "0;1,4;2,5;3,6;7;;0;1,4;2,5;3,6;7;"},
    {{4, 5, 2, 2, 1, 2, 3},
     2,
     2,
     Dataflow::ws,
     "0 3 1 15 4 18 16 5 19 8 6 -1 9 -1 -1 -1",
     "0 4 1 5 2 6 3 7",
     ";;0;3,1;15,4;18,16;19;;;;5;8,6;9;;;",
     "1,5;0,4;;;;;;;3,7;2,6;;;;;;"},
    {{4, 5, 2, 2, 1, 2, 3},
     2,
     2,
     Dataflow::is,
     "0 3 1 4 5 8 6 9 15 18 16 19 -1 -1 -1 -1",
     "0 4 1 2 5 6 3 7",
     "1,4;0,3;;;;;6,9;5,8;;;;;16,19;15,18;;;;;;;;;;",
     ";;0;4,1;5;;;;2;6,3;7;;;;0;4,1;5;;;;2;6,3;7;"},
};

std::string joined(const std::vector<int64_t>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + std::to_string(v[i]);
  return s;
}

// Every demand line of the layer, folds in SCALE-Sim's order (column folds
// outer), valid entries joined by ',' and lines by ';'.
std::string demand_text(const StreamCase& c, bool ifmap) {
  const ScaleSimOperandStreams s(c.df, c.rows, c.cols, c.layer);
  const uint64_t m = c.layer.ofmap_px(), n = c.layer.num_filters, k = c.layer.window();
  const uint64_t R = c.rows, C = c.cols;
  uint64_t row_folds = 0, col_folds = 0, lines = 0;
  switch (c.df) {
    case Dataflow::os:
      row_folds = (m + R - 1) / R, col_folds = (n + C - 1) / C, lines = k + R + C - 2;
      break;
    case Dataflow::ws:
      row_folds = (k + R - 1) / R, col_folds = (n + C - 1) / C, lines = m + 2 * R + C - 2;
      break;
    case Dataflow::is:
      row_folds = (k + R - 1) / R, col_folds = (m + C - 1) / C, lines = n + 2 * R + C - 2;
      break;
  }
  std::string out;
  std::vector<int64_t> line;
  for (uint64_t fc = 0; fc < col_folds; ++fc)
    for (uint64_t fr = 0; fr < row_folds; ++fr)
      for (uint64_t j = 0; j < lines; ++j) {
        if (ifmap)
          s.ifmap_demand(fr, fc, j, line);
        else
          s.filter_demand(fr, fc, j, line);
        out += (out.empty() && fc == 0 && fr == 0 && j == 0 ? "" : ";") + joined(line, ",");
      }
  return out;
}

TEST(ScaleSimReadBuffer, StreamsAreScaleSimsMatrices) {
  for (const StreamCase& c : kCases) {
    const char* df = c.df == Dataflow::os ? "os" : c.df == Dataflow::ws ? "ws" : "is";
    const std::string who = std::string(df) + " " + std::to_string(c.rows) + "x" +
                            std::to_string(c.cols) + " stride " + std::to_string(c.layer.stride);
    const ScaleSimOperandStreams s(c.df, c.rows, c.cols, c.layer);
    EXPECT_EQ(joined(s.ifmap_prefetch(), " "), c.ifmap_prefetch) << who;
    EXPECT_EQ(joined(s.filter_prefetch(), " "), c.filter_prefetch) << who;
    EXPECT_EQ(demand_text(c, true), c.ifmap_demand) << who;
    EXPECT_EQ(demand_text(c, false), c.filter_demand) << who;
  }
}

// A 10-word buffer at 1 word per clock: sets of E = ceil(10/100) = 1 word;
// active = 5 words -> A = 5 sets; a prefetch moves the window by P = 5
// sets and takes ceil(5/1) = 5 request lines + 1 clock of port latency.
// The stream 0..9 makes 10 sets plus the trailing empty one: n = 11.
TEST(ScaleSimReadBuffer, HandWorkedStalls) {
  ScaleSimReadBuffer b(10, 1);
  EXPECT_FALSE(b.always_hits(10));  // 11 sets > 5
  EXPECT_TRUE(b.always_hits(4));    // 5 sets: all in the first fill
  b.set_stream({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10);
  EXPECT_EQ(b.sets(), 11u);
  EXPECT_EQ(b.active_sets(), 5u);
  EXPECT_EQ(b.prefetch_sets(), 5u);
  EXPECT_EQ(b.last_prefetch(), -1);  // prefetch_active_buffer() at clock 0
  // Sets 0..4 are in the first fill: served on the next clock, no stall.
  EXPECT_EQ(b.serve_line(0, {0, 1, 2, 3, 4}), 0);
  // 5 misses: the window moves to 5..9; that prefetch completes at
  // -1 + 5 + 1 = 5; the line issued at 2 is served at 5 instead of 3.
  EXPECT_EQ(b.serve_line(2, {5}), 2);
  EXPECT_EQ(b.last_prefetch(), 5);
  // A hit costs nothing, whatever the clock.
  EXPECT_EQ(b.serve_line(3, {9, 7}), 0);
  // 0 misses: the window moves to {10, 0, 1, 2, 3} (the empty set takes a
  // slot: new_prefetch() wraps modulo n = 11); done at 11, line at 4.
  EXPECT_EQ(b.serve_line(4, {0}), 11 - 4 - 1);
  // 4 then 0 in one line: 4 misses (window -> 4..8, done at 17), then 0
  // misses again (window -> {9, 10, 0, 1, 2}, done at 23): the line waits
  // for the last prefetch it caused.
  EXPECT_EQ(b.serve_line(20, {4, 0}), 23 - 20 - 1);
  EXPECT_EQ(b.prefetches(), 4u);
  // A prefetch that completed before the line's clock does not stall it.
  EXPECT_EQ(b.serve_line(100, {5}), 0);  // window -> 3..7, done at 29
  EXPECT_EQ(b.last_prefetch(), 29);
}

// SCALE-Sim's sizing with kB SRAMs (set_params(), prepare_hashed_buffer()):
// 1 KiB = 1024 words, E = 11, A = ceil(512 / 11) = 47 sets, so a stream of
// up to 47 * 11 - 1 = 516 valid entries never misses (517 makes 48 sets).
TEST(ScaleSimReadBuffer, KibBufferFirstFill) {
  const ScaleSimReadBuffer b(1024, 4);
  EXPECT_TRUE(b.always_hits(516));
  EXPECT_FALSE(b.always_hits(517));
}

}  // namespace
}  // namespace nibble::hw
