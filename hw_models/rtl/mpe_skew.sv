// A delay line of DELAY clocks (0: a wire): the skew registers at the array
// edges, which make operand vector i reach row r (column c) r*d (c) clocks
// later. clear empties it between folds.
module mpe_skew #(
    parameter int W = 1,
    parameter int DELAY = 0
) (
    input  logic         clk,
    input  logic         clear,
    input  logic [W-1:0] d,
    output logic [W-1:0] q
);
  if (DELAY == 0) begin : g_wire
    assign q = d;
  end else if (DELAY == 1) begin : g_reg
    always_ff @(posedge clk) q <= clear ? '0 : d;
  end else begin : g_regs
    logic [DELAY*W-1:0] stage;  // stage i at [i*W +: W]
    always_ff @(posedge clk) stage <= clear ? '0 : {stage[(DELAY-1)*W-1:0], d};
    assign q = stage[(DELAY-1)*W+:W];
  end
endmodule
