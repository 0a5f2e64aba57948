package io.flowbench.cli;

import com.typesafe.config.ConfigException;
import io.flowbench.config.ConfigError;
import io.flowbench.data.DataFormatException;
import io.flowbench.data.DatasetNotFoundException;
import io.flowbench.run.RunsStopped;
import io.flowbench.samediff.FlowSession;
import io.flowbench.tracking.FileErrors;
import io.flowbench.tracking.TrackingException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code flowbench} command line: one subcommand per job. */
@Command(name = "flowbench",
        mixinStandardHelpOptions = true,
        versionProvider = FlowbenchCli.Version.class,
        description = "Train, verify and compare normalizing-flow image models (Glow, DLF).",
        subcommands = {RunCommand.class, VerifyCommand.class, DataCommand.class, SyncCommand.class, UiCommand.class,
                CompareCommand.class, RegressCommand.class, BenchCommand.class})
public final class FlowbenchCli {
    /** Exit code for bad input (configuration, arguments, data, tracking target); 1 means a check or run failed. */
    public static final int USAGE_ERROR = 2;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "on an error caused by the input, print the stack trace too")
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the command line with its output and error streams given (tests capture them). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        FlowSession.install();
        try {
            return new CommandLine(new FlowbenchCli())
                    .setOut(out)
                    .setErr(err)
                    .setExecutionExceptionHandler(FlowbenchCli::reportFailure)
                    .execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * A stop by a signal ends with the signal's status and one line saying what was stopped ({@link RunsStopped}).
     * Bad input is the user's to fix: one message saying what, where and how, exit code 2, no stack trace
     * (unless --debug). Anything else is a bug and keeps picocli's stack trace.
     */
    private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof RunsStopped stopped) {
            cmd.getOut().flush();
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + stopped.getMessage());
            return stopped.exitStatus();
        }
        String message = userError(e);
        if (message == null) {
            throw e;
        }
        cmd.getOut().flush();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + message);
        if (debug(parsed)) {
            e.printStackTrace(err);
        }
        err.flush();
        return USAGE_ERROR;
    }

    /** The message of a failure caused by the input (config, data, tracking target, files), or null for a bug. */
    static String userError(Throwable e) {
        if (e instanceof ConfigError || e instanceof ConfigException || e instanceof IllegalArgumentException
                || e instanceof TrackingException || e instanceof DatasetNotFoundException
                || e instanceof DataFormatException) {
            return e.getMessage();
        }
        if (e instanceof FileSystemException f) {
            return FileErrors.describe(f);
        }
        if (e instanceof UncheckedIOException u) {
            String cause = userError(u.getCause());
            return cause == null ? null : u.getMessage().equals(u.getCause().toString()) ? cause
                    : u.getMessage() + " (" + cause + ")";
        }
        return null;
    }

    private static boolean debug(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FlowbenchCli.class.getPackage().getImplementationVersion();
            return new String[] {"flowbench " + (v == null ? "(development build)" : v)};
        }
    }
}
