package io.dendrite.ps;

import io.dendrite.core.util.Checks;

/**
 * Where the parameter server listens and how long anything may wait.
 *
 * @param bindAddress     the local address to listen on ({@code 0.0.0.0} for every interface)
 * @param host            the address tasks connect to (what executors can reach)
 * @param port            the first port to try; 0 takes any free port
 * @param portRetries     how many ports after {@code port} to try when it is taken
 * @param connectMillis   how long a task may take to connect and authenticate
 * @param stepMillis      how long the server waits for every share of a step, and a task for its next work
 */
public record ServerSettings(String bindAddress, String host, int port, int portRetries, long connectMillis,
                             long stepMillis) {
    /** Validates. */
    public ServerSettings {
        Checks.checkArgument(bindAddress != null && !bindAddress.isBlank(), "the bind address must not be empty");
        Checks.checkArgument(host != null && !host.isBlank(), "the advertised host must not be empty");
        Checks.checkArgument(port >= 0 && port <= 65535, "port must be in [0, 65535] but got %s", port);
        Checks.checkArgument(portRetries >= 0 && (port == 0 || port + (long) portRetries <= 65535),
                "port retries must be >= 0 and keep ports <= 65535 but got %s after port %s", portRetries, port);
        Checks.checkArgument(connectMillis > 0, "the connect timeout must be > 0 ms but got %s", connectMillis);
        Checks.checkArgument(stepMillis > 0, "the step timeout must be > 0 ms but got %s", stepMillis);
    }
}
