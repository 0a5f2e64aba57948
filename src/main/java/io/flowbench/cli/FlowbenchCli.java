package io.flowbench.cli;

import com.typesafe.config.ConfigException;
import io.flowbench.config.ConfigError;
import io.flowbench.samediff.SubgraphCachingSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code flowbench} command line: one subcommand per job. */
@Command(name = "flowbench",
        mixinStandardHelpOptions = true,
        versionProvider = FlowbenchCli.Version.class,
        description = "Train, verify and compare normalizing-flow image models (Glow, DLF).",
        subcommands = {RunCommand.class, VerifyCommand.class, DataCommand.class, SyncCommand.class, UiCommand.class,
                CompareCommand.class, RegressCommand.class, BenchCommand.class})
public final class FlowbenchCli {
    /** Exit code for bad input (configuration, arguments); 1 means a check or run failed. */
    public static final int USAGE_ERROR = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        SubgraphCachingSession.install();
        return new CommandLine(new FlowbenchCli())
                .setExecutionExceptionHandler(FlowbenchCli::reportFailure)
                .execute(args);
    }

    /** Bad input is the user's to fix: one clear line, not a stack trace. */
    private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof ConfigError || e instanceof ConfigException || e instanceof IllegalArgumentException) {
            cmd.getErr().println("flowbench " + cmd.getCommandName() + ": " + e.getMessage());
            return USAGE_ERROR;
        }
        throw e;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FlowbenchCli.class.getPackage().getImplementationVersion();
            return new String[] {"flowbench " + (v == null ? "(development build)" : v)};
        }
    }
}
