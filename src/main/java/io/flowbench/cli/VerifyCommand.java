package io.flowbench.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/**
 * Placeholder so the skeleton compiles on the tracking branch (FlowbenchCli names VerifyCommand, which
 * another branch provides). Take the other branch's file when merging.
 */
@Command(name = "verify", description = "Verify the models numerically (not in this build).")
final class VerifyCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("flowbench verify: not available in this build");
        return 2;
    }
}
