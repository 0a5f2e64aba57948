package io.flowbench.samediff;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Installs the SameDiff workarounds the CLI installs at start-up, before every test class (registered
 * for all tests in META-INF/services, enabled by junit-platform.properties), so tests run the graphs
 * the way the application does.
 */
public final class SameDiffSetup implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        FlowSession.install();
    }
}
