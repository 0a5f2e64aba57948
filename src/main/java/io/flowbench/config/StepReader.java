package io.flowbench.config;

import com.typesafe.config.Config;
import io.flowbench.model.StepSpec;

/** Reads the flow step of one model family from a resolved model block (bound per kind in {@link ConfigModule}). */
public interface StepReader {

    StepSpec read(Config model);
}
