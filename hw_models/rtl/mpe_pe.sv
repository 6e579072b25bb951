// One PE of the MPE systolic array (docs/rtl.md, docs/microarch.md 2.1).
//
// Clock by clock it does what MacArrayDetailed's PE does:
//   * the streamed operand (west) is registered and passed east each clock;
//   * WS/IS: the stationary operand register shifts south while `load` is
//     high (the fold's stationary load) and holds otherwise; the partial sum
//     from the north enters together with the operand that meets it, passes
//     the multiplier, DEPTH-1 pipeline registers and the accumulate adders,
//     and is in q_* DEPTH clocks later (rows the fold does not use pass it
//     through unchanged, with the same latency);
//   * OS: the north operand is registered and passed south; the products
//     pass DEPTH-1 registers into a 1-clock accumulate loop, and the PE is
//     done after the group flagged `last`.
// `clear` (between folds) empties every valid bit and the OS accumulator.
module mpe_pe #(
    parameter int DATAFLOW = 0,  // 0 ws, 1 os, 2 is (the order of hw::Dataflow)
    parameter int DEPTH = 1,
    parameter int MACS = 4,
    parameter int ACC_BITS = 32,
    parameter int SATURATE = 1,
    parameter int ZERO_GATING = 1,
    parameter int PATHS = 3,
    parameter int TAG_W = 8,
    parameter int PROD_W = 18,
    parameter int SAT_W = $clog2(MACS + 1)
) (
    input logic clk,
    input logic clear,
    input logic mode_fp4,
    input logic fp4_in_a,
    input logic row_active,  // WS/IS: this row holds a K group of the fold

    input  logic                w_valid,
    input  logic                w_last,
    input  logic [   TAG_W-1:0] w_tag,
    input  logic [ MACS*5-1:0]  w_codes,
    output logic                e_valid,
    output logic                e_last,
    output logic [   TAG_W-1:0] e_tag,
    output logic [ MACS*5-1:0]  e_codes,

    input  logic                load,
    input  logic                n_valid,
    input  logic [ MACS*5-1:0]  n_codes,
    output logic                s_valid,
    output logic [ MACS*5-1:0]  s_codes,

    input  logic                p_valid,
    input  logic [   TAG_W-1:0] p_tag,
    input  logic [ACC_BITS-1:0] p_value,
    output logic                q_valid,
    output logic                q_valid_d,  // q_valid's next value (the array's lookahead)
    output logic [   TAG_W-1:0] q_tag,
    output logic [ACC_BITS-1:0] q_value,

    output logic [ACC_BITS-1:0] acc,      // OS: the stationary output
    output logic [ACC_BITS-1:0] acc_d,    // OS: its next value (before `clear`)
    output logic                done_d,   // OS: all groups accumulated (next value, before `clear`)
    output logic [   SAT_W-1:0] sat_events
);
  localparam bit OS = DATAFLOW == 1;
  localparam bit IS = DATAFLOW == 2;
  localparam int SW = 3 + TAG_W + ACC_BITS + MACS * PROD_W;  // one pipeline stage

  // Operand registers.
  always_ff @(posedge clk) begin
    e_valid <= clear ? 1'b0 : w_valid;
    e_last  <= clear ? 1'b0 : w_last;
    e_tag   <= w_tag;
    e_codes <= w_codes;
  end
  if (OS) begin : g_north_stream
    always_ff @(posedge clk) begin
      s_valid <= clear ? 1'b0 : n_valid;
      s_codes <= n_codes;
    end
  end else begin : g_stationary
    always_ff @(posedge clk)
      if (load) begin
        s_valid <= n_valid;
        s_codes <= n_codes;
      end
  end

  // Multiplier: A is the west operand in WS/OS, the stationary one in IS.
  logic [MACS*5-1:0] a_codes, b_codes;
  assign a_codes = IS ? s_codes : w_codes;
  assign b_codes = OS ? n_codes : IS ? w_codes : s_codes;
  logic [MACS*PROD_W-1:0] products;
  mpe_mul #(
      .MACS(MACS),
      .PATHS(PATHS),
      .ZERO_GATING(ZERO_GATING),
      .PROD_W(PROD_W)
  ) u_mul (
      .mode_fp4(mode_fp4),
      .fp4_in_a(fp4_in_a),
      .a_codes(a_codes),
      .b_codes(b_codes),
      .products(products)
  );

  // Entry of the MAC pipeline: {do_mac, valid, last, tag, psum, products}.
  logic in_valid, in_mac;
  assign in_valid = OS ? w_valid && n_valid : p_valid;
  assign in_mac = OS ? in_valid : p_valid && row_active;
  logic [SW-1:0] stage_in, stage_out;
  assign stage_in = {in_mac, in_valid, OS ? w_last : 1'b0, OS ? w_tag : p_tag,
                     OS ? {ACC_BITS{1'b0}} : p_value, products};
  mpe_skew #(
      .W(SW),
      .DELAY(DEPTH - 1)
  ) u_pipe (
      .clk(clk),
      .clear(clear),
      .d(stage_in),
      .q(stage_out)
  );
  logic st_mac, st_valid, st_last;
  logic [TAG_W-1:0] st_tag;
  logic [ACC_BITS-1:0] st_psum;
  logic [MACS*PROD_W-1:0] st_products;
  assign {st_mac, st_valid, st_last, st_tag, st_psum, st_products} = stage_out;

  // Accumulate: into the passing partial sum (WS/IS) or the PE's own (OS).
  logic [ACC_BITS-1:0] sum;
  logic [SAT_W-1:0] sat;
  mpe_acc #(
      .MACS(MACS),
      .ACC_BITS(ACC_BITS),
      .SATURATE(SATURATE),
      .PROD_W(PROD_W),
      .SAT_W(SAT_W)
  ) u_acc (
      .acc_in(OS ? acc : st_psum),
      .products(st_products),
      .acc_out(sum),
      .sat_events(sat)
  );
  assign sat_events = st_mac ? sat : '0;

  if (OS) begin : g_os
    logic done;
    // acc_d / done_d ignore `clear`: the array reads them in the clock that
    // ends a fold (to copy the last sums out) while `clear` empties the PE.
    assign acc_d = st_mac ? sum : acc;
    assign done_d = done || (st_mac && st_last);
    always_ff @(posedge clk) begin
      acc  <= clear ? '0 : acc_d;
      done <= clear ? 1'b0 : done_d;
    end
    assign q_valid = 1'b0;
    assign q_valid_d = 1'b0;
    assign q_tag = '0;
    assign q_value = '0;
  end else begin : g_psum
    assign q_valid_d = clear ? 1'b0 : st_valid;
    always_ff @(posedge clk) begin
      q_valid <= q_valid_d;
      q_tag   <= st_tag;
      q_value <= st_mac ? sum : st_psum;
    end
    assign acc = '0;
    assign acc_d = '0;
    assign done_d = 1'b0;
  end
endmodule
