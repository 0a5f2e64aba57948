package io.flowbench.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Makes every {@code include} of an experiment file required. Typesafe Config silently skips a plain
 * {@code include "x.conf"} whose file is missing, so a typo in the name would drop its settings and fall
 * back to defaults; here it is an error naming the include.
 */
final class RequiredIncludes implements ConfigIncluder, ConfigIncluderFile {
    private final String includingFile;
    private final ConfigIncluder fallback;

    RequiredIncludes(String includingFile) {
        this(includingFile, null);
    }

    private RequiredIncludes(String includingFile, ConfigIncluder fallback) {
        this.includingFile = includingFile;
        this.fallback = fallback;
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder f) {
        return f == fallback ? this : new RequiredIncludes(includingFile, f);
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        return required(what, () -> fallback.include(context.setParseOptions(context.parseOptions().setAllowMissing(false)), what));
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File what) {
        return required(what.toString(), () -> ((ConfigIncluderFile) fallback).includeFile(
                context.setParseOptions(context.parseOptions().setAllowMissing(false)), what));
    }

    private ConfigObject required(String what, Supplier<ConfigObject> include) {
        try {
            return include.get();
        } catch (ConfigException.IO e) {
            throw new ConfigError(includingFile + line(what), "include \"" + what + "\"", "not found; an include names a "
                    + "file relative to the including file (" + Path.of(includingFile).toAbsolutePath().getParent() + ")", e);
        }
    }

    /** ": N", the line of the including file that names {@code what}, when it is the top file that does. */
    private String line(String what) {
        try {
            List<String> lines = Files.readAllLines(Path.of(includingFile));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("include") && lines.get(i).contains(what)) {
                    return ": " + (i + 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the include came from a nested file, or the file cannot be read again: name the file alone
        }
        return "";
    }
}
