// The MPE systolic array of one core: ROWS x COLS mpe_pe, the skew registers
// at its west and north edges, the OS drain chains, and the fold sequencer.
// It is the RTL twin of hw::MacArrayDetailed (hw_models/mac_array_detailed.*)
// and must match it clock for clock: docs/rtl.md describes the interface and
// tests/rtl/ co-simulates both on random GEMMs.
//
// Operands come from a memory outside the array (the scratchpad) through
// request/data port pairs: the array drives a request (index + base) from
// its registers and the memory answers with the codes in the same clock.
//   ld_*  WS/IS stationary load: K group `ld_group` of the stationary operand
//         for the columns col_base .. col_base+COLS-1 (WS: B, IS: A).
//   w_*   west stream: WS/IS stream index w_index (WS: row of A, IS: column of
//         B) for the K groups w_base .. w_base+ROWS-1; OS: K group w_index of
//         A rows w_base .. w_base+ROWS-1.
//   n_*   OS north stream: K group n_index of B columns n_base ...
//   p_*   WS/IS partial sums entering the top edge (the previous K fold's,
//         0 in the first): outputs of stream index p_index, columns p_base ...
//   o_*   south edge: per column a valid, a tag (WS/IS: the stream index; OS:
//         the row in the fold) and the accumulator word, with the fold bases
//         o_row_base / o_col_base of the clock that produced them.
// Each operand group is MACS codes of 5 bits, lane 0 first (K order); INT4 /
// UINT4 as 5-bit two's complement, FP4 in the low 4 bits.
module mpe_array #(
    parameter int ROWS = 4,
    parameter int COLS = 4,
    parameter int DATAFLOW = 0,  // 0 ws, 1 os, 2 is
    parameter int DEPTH = 1,  // PE pipeline depth (MAC latency)
    parameter int MACS = 4,  // MACs per PE per clock in the 4-bit modes
    parameter int ACC_BITS = 32,
    parameter int SATURATE = 1,
    parameter int FOLD_SETUP = 0,  // idle clocks before each fold
    parameter int ZERO_GATING = 1,
    parameter int PATHS = 3,  // 1 INT4xINT4, 2 INT4xFP4, 3 both
    parameter int IDX_W = 8  // M, N, K up to 2^IDX_W - 1
) (
    input logic clk,
    input logic rst,

    input  logic             start,
    input  logic [IDX_W-1:0] cfg_m,
    input  logic [IDX_W-1:0] cfg_n,
    input  logic [IDX_W-1:0] cfg_k,
    input  logic             cfg_fp4,       // INT4 x FP4 (else INT4 x INT4)
    input  logic             cfg_fp4_in_a,  // the FP4 codes are A's (else B's)
    output logic             busy,
    output logic [     31:0] cycles,        // clocks of the current / last GEMM
    output logic [     31:0] saturations,   // accumulator clamps of the GEMM

    output logic                    ld_valid,
    output logic [       IDX_W-1:0] ld_group,
    output logic [       IDX_W-1:0] ld_col_base,
    input  logic [COLS*MACS*5-1:0]  ld_data,

    output logic                    w_req,
    output logic [       IDX_W-1:0] w_index,
    output logic [       IDX_W-1:0] w_base,
    input  logic [ROWS*MACS*5-1:0]  w_data,

    output logic                    n_req,
    output logic [       IDX_W-1:0] n_index,
    output logic [       IDX_W-1:0] n_base,
    input  logic [COLS*MACS*5-1:0]  n_data,

    output logic                    p_req,
    output logic [       IDX_W-1:0] p_index,
    output logic [       IDX_W-1:0] p_base,
    input  logic [COLS*ACC_BITS-1:0] p_data,

    output logic [          COLS-1:0] o_valid,
    output logic [    COLS*IDX_W-1:0] o_tag,
    output logic [ COLS*ACC_BITS-1:0] o_value,
    output logic [         IDX_W-1:0] o_row_base,
    output logic [         IDX_W-1:0] o_col_base
);
  localparam bit OS = DATAFLOW == 1;
  localparam int PROD_W = 18;
  localparam int SAT_W = $clog2(MACS + 1);
  localparam int CW = IDX_W + 2;  // counters that may exceed one index
  localparam int OPW = MACS * 5;
  localparam logic [1:0] IDLE = 2'd0, SETUP = 2'd1, LOAD = 2'd2, STREAM = 2'd3;
  localparam logic [1:0] FIRST = FOLD_SETUP > 0 ? SETUP : OS ? STREAM : LOAD;

  // ---------------------------------------------------------------- sequencer
  logic [1:0] phase;
  logic [15:0] cnt;  // clock within the phase (STREAM: the stream clock)
  logic [IDX_W-1:0] m, n, k, row_base, col_base;
  logic fp4, fp4_in_a;
  logic [2*CW-1:0] received;

  logic [CW-1:0] kg, stream_len, row_extent, col_extent, ra, ca;
  logic [2*CW-1:0] target;
  assign kg = (CW'(k) + CW'(MACS - 1)) / CW'(MACS);
  assign stream_len = OS ? kg : DATAFLOW == 0 ? CW'(m) : CW'(n);
  assign row_extent = OS ? CW'(m) : kg;
  assign col_extent = DATAFLOW == 2 ? CW'(m) : CW'(n);
  assign ra = row_extent - CW'(row_base) < CW'(ROWS) ? row_extent - CW'(row_base) : CW'(ROWS);
  assign ca = col_extent - CW'(col_base) < CW'(COLS) ? col_extent - CW'(col_base) : CW'(COLS);
  assign target = OS ? (2 * CW)'(ra) * (2 * CW)'(ca) : (2 * CW)'(stream_len) * (2 * CW)'(ca);

  logic clear, streaming;
  assign streaming = phase == STREAM;
  assign clear = rst || !streaming;
  assign busy = phase != IDLE;

  // Outputs latched at this clock's edge (lookahead for the end of a fold).
  logic [COLS-1:0] o_valid_d;
  logic [CW-1:0] out_now;
  always_comb begin
    out_now = '0;
    for (int c = 0; c < COLS; c++) out_now = out_now + CW'(o_valid_d[c]);
  end
  logic fold_end;
  assign fold_end = streaming && received + (2 * CW)'(out_now) == target;
  // OS may start the next fold on the clock after the last one ends (no
  // setup, no load): its PEs, skew and drain registers empty at that edge.
  // WS/IS always pass LOAD, where `clear` empties them.
  logic fold_reset;
  assign fold_reset = clear || (OS && fold_end);
  logic more_rows, more_cols;
  assign more_rows = CW'(row_base) + CW'(ROWS) < row_extent;
  assign more_cols = CW'(col_base) + CW'(COLS) < col_extent;

  logic [ROWS*COLS*SAT_W-1:0] pe_sat;
  logic [31:0] sat_now;
  always_comb begin
    sat_now = '0;
    for (int i = 0; i < ROWS * COLS; i++) sat_now = sat_now + 32'(pe_sat[i*SAT_W+:SAT_W]);
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      phase <= IDLE;
      cnt <= '0;
      cycles <= '0;
      saturations <= '0;
      received <= '0;
    end else begin
      if (phase != IDLE) cycles <= cycles + 32'd1;
      saturations <= saturations + sat_now;
      case (phase)
        IDLE:
        if (start) begin
          m <= cfg_m;
          n <= cfg_n;
          k <= cfg_k;
          fp4 <= cfg_fp4;
          fp4_in_a <= cfg_fp4_in_a;
          row_base <= '0;
          col_base <= '0;
          received <= '0;
          cnt <= '0;
          cycles <= '0;
          saturations <= '0;
          phase <= FIRST;
        end
        SETUP:
        if (cnt == 16'(FOLD_SETUP - 1)) begin
          cnt   <= '0;
          phase <= OS ? STREAM : LOAD;
        end else cnt <= cnt + 16'd1;
        LOAD:
        if (cnt == 16'(ROWS - 1)) begin
          cnt   <= '0;
          phase <= STREAM;
        end else cnt <= cnt + 16'd1;
        default:  // STREAM
        if (fold_end) begin
          cnt <= '0;
          received <= '0;
          // Fold order: WS/IS K folds inside column folds (partial sums
          // re-enter in K order); OS column folds inside row folds.
          if (OS ? more_cols : more_rows) begin
            if (OS) col_base <= col_base + IDX_W'(COLS);
            else row_base <= row_base + IDX_W'(ROWS);
            phase <= FIRST;
          end else if (OS ? more_rows : more_cols) begin
            if (OS) begin
              row_base <= row_base + IDX_W'(ROWS);
              col_base <= '0;
            end else begin
              col_base <= col_base + IDX_W'(COLS);
              row_base <= '0;
            end
            phase <= FIRST;
          end else phase <= IDLE;
        end else begin
          cnt <= cnt + 16'd1;
          received <= received + (2 * CW)'(out_now);
        end
      endcase
    end
  end

  // ------------------------------------------------------------ memory ports
  logic [CW-1:0] src_row;  // LOAD clock l feeds the top with the group of row ROWS-1-l
  assign src_row = CW'(ROWS - 1) - CW'(cnt);
  assign ld_valid = phase == LOAD && src_row < ra;
  assign ld_group = row_base + IDX_W'(src_row);
  assign ld_col_base = col_base;
  logic in_stream;
  assign in_stream = streaming && cnt < 16'(stream_len);
  assign w_req = in_stream;
  assign w_index = IDX_W'(cnt);
  assign w_base = row_base;
  assign n_req = OS && in_stream;
  assign n_index = IDX_W'(cnt);
  assign n_base = col_base;
  assign p_req = !OS && in_stream;
  assign p_index = IDX_W'(cnt);
  assign p_base = col_base;
  always_ff @(posedge clk) begin
    o_row_base <= row_base;
    o_col_base <= col_base;
  end

  // ------------------------------------------------------------------- grid
  localparam int NW = 2 + IDX_W + OPW;  // west word {valid, last, tag, codes}
  localparam int PW = 1 + IDX_W + ACC_BITS;  // psum word {valid, tag, value}
  localparam int SNW = 1 + OPW;  // OS north word {valid, codes}
  logic [ROWS*COLS-1:0] e_valid, e_last, s_valid, q_valid, q_valid_d, done_d;
  logic [ROWS*COLS*IDX_W-1:0] e_tag, q_tag;
  logic [ROWS*COLS*OPW-1:0] e_codes, s_codes;
  logic [ROWS*COLS*ACC_BITS-1:0] q_value, acc_d;
  logic [COLS*SNW-1:0] top_north;  // the north edge after its skew registers
  logic [COLS*PW-1:0] top_psum;
  logic last_group;
  assign last_group = CW'(cnt) == kg - CW'(1);

  for (genvar r = 0; r < ROWS; r++) begin : g_row
    // West edge: row r's operand word, skewed r*DEPTH (WS/IS) or r (OS) clocks.
    logic [NW-1:0] west_word;
    mpe_skew #(
        .W(NW),
        .DELAY(OS ? r : r * DEPTH)
    ) u_west_skew (
        .clk(clk),
        .clear(clear),
        .d({w_req && CW'(r) < ra, OS && last_group, IDX_W'(cnt), w_data[r*OPW+:OPW]}),
        .q(west_word)
    );
    for (genvar c = 0; c < COLS; c++) begin : g_col
      localparam int I = r * COLS + c;
      logic w_valid, w_last, n_valid, p_valid;
      logic [IDX_W-1:0] w_tag, p_tag;
      logic [OPW-1:0] w_codes, n_codes;
      logic [ACC_BITS-1:0] p_value;
      if (c == 0) begin : g_west_edge
        assign {w_valid, w_last, w_tag, w_codes} = west_word;
      end else begin : g_west_neighbour
        assign w_valid = e_valid[I-1];
        assign w_last = e_last[I-1];
        assign w_tag = e_tag[(I-1)*IDX_W+:IDX_W];
        assign w_codes = e_codes[(I-1)*OPW+:OPW];
      end
      if (r == 0) begin : g_north_edge
        if (OS) begin : g_os_top
          assign {n_valid, n_codes} = top_north[c*SNW+:SNW];
        end else begin : g_load_top
          assign n_valid = ld_valid;
          assign n_codes = ld_valid ? ld_data[c*OPW+:OPW] : '0;
        end
        assign {p_valid, p_tag, p_value} = top_psum[c*PW+:PW];
      end else begin : g_north_neighbour
        assign n_valid = s_valid[I-COLS];
        assign n_codes = s_codes[(I-COLS)*OPW+:OPW];
        assign p_valid = q_valid[I-COLS];
        assign p_tag = q_tag[(I-COLS)*IDX_W+:IDX_W];
        assign p_value = q_value[(I-COLS)*ACC_BITS+:ACC_BITS];
      end
      mpe_pe #(
          .DATAFLOW(DATAFLOW),
          .DEPTH(DEPTH),
          .MACS(MACS),
          .ACC_BITS(ACC_BITS),
          .SATURATE(SATURATE),
          .ZERO_GATING(ZERO_GATING),
          .PATHS(PATHS),
          .TAG_W(IDX_W),
          .PROD_W(PROD_W),
          .SAT_W(SAT_W)
      ) u_pe (
          .clk(clk),
          .clear(fold_reset),
          .mode_fp4(fp4),
          .fp4_in_a(fp4_in_a),
          .row_active(CW'(r) < ra),
          .w_valid(w_valid),
          .w_last(w_last),
          .w_tag(w_tag),
          .w_codes(w_codes),
          .e_valid(e_valid[I]),
          .e_last(e_last[I]),
          .e_tag(e_tag[I*IDX_W+:IDX_W]),
          .e_codes(e_codes[I*OPW+:OPW]),
          .load(phase == LOAD),
          .n_valid(n_valid),
          .n_codes(n_codes),
          .s_valid(s_valid[I]),
          .s_codes(s_codes[I*OPW+:OPW]),
          .p_valid(p_valid),
          .p_tag(p_tag),
          .p_value(p_value),
          .q_valid(q_valid[I]),
          .q_valid_d(q_valid_d[I]),
          .q_tag(q_tag[I*IDX_W+:IDX_W]),
          .q_value(q_value[I*ACC_BITS+:ACC_BITS]),
          .acc(),
          .acc_d(acc_d[I*ACC_BITS+:ACC_BITS]),
          .done_d(done_d[I]),
          .sat_events(pe_sat[I*SAT_W+:SAT_W])
      );
    end
  end

  // North edge per column: the OS B stream or the WS/IS partial sums, skewed c clocks.
  for (genvar c = 0; c < COLS; c++) begin : g_top
    if (OS) begin : g_os
      mpe_skew #(
          .W(SNW),
          .DELAY(c)
      ) u_north_skew (
          .clk(clk),
          .clear(fold_reset),
          .d({n_req && CW'(c) < ca, n_data[c*OPW+:OPW]}),
          .q(top_north[c*SNW+:SNW])
      );
      assign top_psum[c*PW+:PW] = '0;
    end else begin : g_psum
      mpe_skew #(
          .W(PW),
          .DELAY(c)
      ) u_psum_skew (
          .clk(clk),
          .clear(clear),
          .d({p_req && CW'(c) < ca, IDX_W'(cnt), p_data[c*ACC_BITS+:ACC_BITS]}),
          .q(top_psum[c*PW+:PW])
      );
      assign top_north[c*SNW+:SNW] = '0;
    end
  end

  // South edge.
  for (genvar c = 0; c < COLS; c++) begin : g_south
    localparam int B = (ROWS - 1) * COLS + c;  // the bottom PE
    if (OS) begin : g_drain
      // When every active PE of the column is done, the column copies the
      // sums into its drain chain, which shifts one row south per clock;
      // the bottom register is the array edge (docs/microarch.md 2.3).
      logic draining, column_done;
      logic [ROWS-1:0] dv;
      logic [ROWS*IDX_W-1:0] dt;
      logic [ROWS*ACC_BITS-1:0] dval;
      always_comb begin
        column_done = CW'(c) < ca && !draining;
        for (int r = 0; r < ROWS; r++)
          if (CW'(r) < ra && !done_d[r*COLS+c]) column_done = 1'b0;
      end
      if (ROWS > 1) begin : g_next
        assign o_valid_d[c] = !clear && (draining ? dv[ROWS-2] : column_done && CW'(ROWS - 1) < ra);
      end else begin : g_next1
        assign o_valid_d[c] = !clear && !draining && column_done;
      end
      always_ff @(posedge clk) begin
        // Rows above the bottom: shift when draining, load on the copy,
        // empty otherwise and at every fold boundary.
        for (int r = 0; r < ROWS - 1; r++) begin
          dv[r] <= !fold_reset && (draining ? (r > 0 && dv[r-1]) : column_done && CW'(r) < ra);
          dt[r*IDX_W+:IDX_W] <= draining ? (r > 0 ? dt[(r-1)*IDX_W+:IDX_W] : '0) : IDX_W'(r);
          dval[r*ACC_BITS+:ACC_BITS] <=
              draining ? (r > 0 ? dval[(r-1)*ACC_BITS+:ACC_BITS] : '0)
                       : acc_d[(r*COLS+c)*ACC_BITS+:ACC_BITS];
        end
        // The bottom register is the array edge: it keeps the fold's last
        // result for the clock after the fold ends.
        dv[ROWS-1] <= o_valid_d[c];
        if (draining && ROWS > 1) begin
          dt[(ROWS-1)*IDX_W+:IDX_W] <= dt[(ROWS-2)*IDX_W+:IDX_W];
          dval[(ROWS-1)*ACC_BITS+:ACC_BITS] <= dval[(ROWS-2)*ACC_BITS+:ACC_BITS];
        end else if (!draining) begin
          dt[(ROWS-1)*IDX_W+:IDX_W] <= IDX_W'(ROWS - 1);
          dval[(ROWS-1)*ACC_BITS+:ACC_BITS] <= acc_d[((ROWS-1)*COLS+c)*ACC_BITS+:ACC_BITS];
        end
        draining <= !fold_reset && (draining || column_done);
      end
      assign o_valid[c] = dv[ROWS-1];
      assign o_tag[c*IDX_W+:IDX_W] = dt[(ROWS-1)*IDX_W+:IDX_W];
      assign o_value[c*ACC_BITS+:ACC_BITS] = dval[(ROWS-1)*ACC_BITS+:ACC_BITS];
    end else begin : g_psum_out
      assign o_valid_d[c] = q_valid_d[B];
      assign o_valid[c] = q_valid[B];
      assign o_tag[c*IDX_W+:IDX_W] = q_tag[B*IDX_W+:IDX_W];
      assign o_value[c*ACC_BITS+:ACC_BITS] = q_value[B*ACC_BITS+:ACC_BITS];
    end
  end
endmodule
