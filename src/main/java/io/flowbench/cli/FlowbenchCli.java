package io.flowbench.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code flowbench} command line: one subcommand per job. */
@Command(name = "flowbench",
        mixinStandardHelpOptions = true,
        versionProvider = FlowbenchCli.Version.class,
        description = "Train, verify and compare normalizing-flow image models (Glow, DLF).",
        subcommands = {VerifyCommand.class, SyncCommand.class, UiCommand.class})
public final class FlowbenchCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return new CommandLine(new FlowbenchCli()).execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FlowbenchCli.class.getPackage().getImplementationVersion();
            return new String[] {"flowbench " + (v == null ? "(development build)" : v)};
        }
    }
}
