// Multiplier stage of one MPE PE: MACS lanes, each the exact integer product
// of an A and a B operand code (docs/numerics.md section 6).
//   int4_int4 : a * b, both 5-bit two's complement (INT4 -8..7 or UINT4 0..15
//               extended by the operand feed), a 5x5 signed multiplier.
//   int4_fp4  : the log-domain MAC, no multiplier: the integer operand shifted
//               left by 2(e-1) bits and negated when the FP4 sign is set
//               (fp4_fixed = +-4^(e-1); e = 0 is zero). fp4_in_a says which
//               operand carries the FP4 gradient code (its low 4 bits).
// PATHS selects the hardware: 1 multiplier only, 2 shifter only, 3 both
// (then mode_fp4 picks per GEMM). ZERO_GATING isolates a lane whose operand
// is zero: its multiplier / shifter inputs are forced to 0 so they do not
// switch (the product is 0 either way, so the values are unchanged).
module mpe_mul #(
    parameter int MACS = 4,
    parameter int PATHS = 3,
    parameter int ZERO_GATING = 1,
    parameter int PROD_W = 18
) (
    input  logic                     mode_fp4,
    input  logic                     fp4_in_a,
    input  logic [    MACS*5-1:0]    a_codes,
    input  logic [    MACS*5-1:0]    b_codes,
    output logic [MACS*PROD_W-1:0]   products
);
  localparam bit HAS_INT = (PATHS & 1) != 0;
  localparam bit HAS_FP4 = (PATHS & 2) != 0;

  for (genvar l = 0; l < MACS; l++) begin : g_lane
    logic [4:0] a, b, int_op, fp4_code;
    logic a_zero, b_zero, gated, use_fp4;
    logic signed [PROD_W-1:0] p_int, p_fp4, shifted;
    logic [2:0] e;
    assign a = a_codes[l*5+:5];
    assign b = b_codes[l*5+:5];
    // Which path this lane runs (a single-path PE has no mux).
    assign use_fp4 = HAS_FP4 && (!HAS_INT || mode_fp4);
    assign int_op = fp4_in_a ? b : a;
    assign fp4_code = fp4_in_a ? a : b;
    assign a_zero = use_fp4 && fp4_in_a ? (a[2:0] == 3'd0) : (a == 5'd0);
    assign b_zero = use_fp4 && !fp4_in_a ? (b[2:0] == 3'd0) : (b == 5'd0);
    assign gated = ZERO_GATING != 0 && (a_zero || b_zero);

    if (HAS_INT) begin : g_int
      logic signed [4:0] x, y;
      logic signed [9:0] p;
      assign x = gated ? 5'sd0 : $signed(a);
      assign y = gated ? 5'sd0 : $signed(b);
      assign p = x * y;
      assign p_int = PROD_W'(p);
    end else begin : g_no_int
      assign p_int = '0;
    end

    if (HAS_FP4) begin : g_fp4
      logic signed [4:0] x;
      assign x = gated ? 5'sd0 : $signed(int_op);
      assign e = gated ? 3'd0 : fp4_code[2:0];
      // x << 2(e-1): the shift amount is a 3-bit exponent, no multiplier.
      assign shifted = e == 3'd0 ? '0 : (PROD_W'(x) <<< {e - 3'd1, 1'b0});
      assign p_fp4 = fp4_code[3] ? -shifted : shifted;
    end else begin : g_no_fp4
      assign e = 3'd0;
      assign shifted = '0;
      assign p_fp4 = '0;
    end

    assign products[l*PROD_W+:PROD_W] = use_fp4 ? p_fp4 : p_int;
  end
endmodule
