// Accumulate stage of one MPE PE: adds MACS products to a partial sum ONE AT
// A TIME, in lane (= K) order, each add clamped to the two's-complement range
// of ACC_BITS bits (numerics' SaturatingAccumulator::add). Saturating adds do
// not associate, so the order is part of the arithmetic. sat_events counts
// the clamps of this pass. SATURATE = 0 builds a wrapping adder instead (an
// area variant; the simulator always saturates).
module mpe_acc #(
    parameter int MACS = 4,
    parameter int ACC_BITS = 32,
    parameter int SATURATE = 1,
    parameter int PROD_W = 18,
    parameter int SAT_W = $clog2(MACS + 1)
) (
    input  logic [      ACC_BITS-1:0] acc_in,
    input  logic [   MACS*PROD_W-1:0] products,
    output logic [      ACC_BITS-1:0] acc_out,
    output logic [         SAT_W-1:0] sat_events
);
  localparam int SUM_W = (ACC_BITS > PROD_W ? ACC_BITS : PROD_W) + 1;
  localparam logic signed [SUM_W-1:0] ACC_MAX = SUM_W'({1'b0, {(ACC_BITS - 1) {1'b1}}});
  localparam logic signed [SUM_W-1:0] ACC_MIN = -ACC_MAX - SUM_W'(1);

  // One pass over the lanes: `run` is the sum after each product.
  always_comb begin
    logic signed [SUM_W-1:0] run, s;
    run = SUM_W'($signed(acc_in));
    sat_events = '0;
    for (int l = 0; l < MACS; l++) begin
      s = run + SUM_W'($signed(products[l*PROD_W+:PROD_W]));
      if (SATURATE != 0 && s > ACC_MAX) begin
        run = ACC_MAX;
        sat_events = sat_events + SAT_W'(1);
      end else if (SATURATE != 0 && s < ACC_MIN) begin
        run = ACC_MIN;
        sat_events = sat_events + SAT_W'(1);
      end else begin
        run = SUM_W'($signed(s[ACC_BITS-1:0]));  // wraps only when SATURATE = 0
      end
    end
    acc_out = run[ACC_BITS-1:0];
  end
endmodule
