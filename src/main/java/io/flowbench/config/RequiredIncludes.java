package io.flowbench.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigObject;
import java.io.File;
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
            throw new ConfigError(includingFile, "include \"" + what + "\"", "not found; an include names a file "
                    + "relative to the including file (" + e.getMessage() + ")", e);
        }
    }
}
