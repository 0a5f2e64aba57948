package io.flowbench.run;

import io.flowbench.tracking.RunStatus;

/** How a run ended: its status, how far it got, and its final test bits/dim (NaN when not reached). */
public record RunOutcome(RunPlan plan, String runId, RunStatus status, long steps, long imagesSeen,
                         double trainSeconds, double finalTestBitsPerDim, String failure) { }
