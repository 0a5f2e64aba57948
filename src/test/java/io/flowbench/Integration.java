package io.flowbench;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * An integration test: it starts a Python MLflow server, reads the installed Fashion-MNIST or forks JVMs.
 * Run by failsafe in {@code mvn verify} (bin/test), not by {@code mvn test}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("integration")
public @interface Integration {
}
