package io.flowbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flowbench verify} end to end on small experiment files. */
class VerifyCommandTest {
    @TempDir
    Path dir;

    private record Result(int exitCode, String out, String err) { }

    private static Result capture(IntSupplier command) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = command.getAsInt();
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void verifiesEveryVariantAndPassesOnCorrectModels() throws Exception {
        Path conf = write("ok.conf", """
                experiment {
                  data { name = image-folder, resize = 4, channels = 1 }
                  model { levels = 2, depth = 1, hidden = 4 }
                  variants = [
                    { name = glow, model.kind = glow }
                    { name = dlf-inverse, model { kind = dlf, dlf.form = inverse } }
                    { name = glow-logit-flat, model { kind = glow, logit-preprocessing = on, factor-out = off } }
                    { name = resflow, model.kind = resflow }
                  ]
                }
                """);
        Result r = capture(() -> FlowbenchCli.run("verify", conf.toString()));
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().contains("glow:") && r.out().contains("dlf-inverse:") && r.out().contains("glow-logit-flat:")
                && r.out().contains("resflow:"), r.out());
        assertTrue(r.out().contains("log-det vs finite-difference Jacobian"), r.out());
        assertTrue(r.out().contains("log-det estimate vs finite-diff. (3 s.e.)"), r.out());
        assertTrue(r.out().contains("verify: all checks passed"), r.out());
    }

    @Test
    void impossibleShapeIsAUsageErrorNamingTheFileAndTheReason() throws Exception {
        Path conf = write("bad.conf", """
                experiment {
                  data { name = image-folder, resize = 4, channels = 1 }
                  model { levels = 3, depth = 1, hidden = 4 }
                }
                """);
        Result r = capture(() -> FlowbenchCli.run("verify", conf.toString()));
        assertEquals(FlowbenchCli.USAGE_ERROR, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("bad.conf") && r.err().contains("not divisible by 2^levels = 8"), r.err());
    }

    @Test
    void unknownEnumValueListsTheAllowedOnes() throws Exception {
        Path conf = write("enum.conf", """
                experiment.model.kind = realnvp
                experiment.data { name = image-folder, resize = 4, channels = 1 }
                """);
        Result r = capture(() -> FlowbenchCli.run("verify", conf.toString()));
        assertEquals(FlowbenchCli.USAGE_ERROR, r.exitCode());
        assertTrue(r.err().contains("enum.conf") && r.err().contains("'realnvp' is not one of glow | dlf"), r.err());
    }

    @Test
    void missingFileIsAUsageError() {
        Result r = capture(() -> FlowbenchCli.run("verify", dir.resolve("nope.conf").toString()));
        assertEquals(FlowbenchCli.USAGE_ERROR, r.exitCode());
        assertTrue(r.err().contains("nope.conf: no such experiment file"), r.err());
    }
}
