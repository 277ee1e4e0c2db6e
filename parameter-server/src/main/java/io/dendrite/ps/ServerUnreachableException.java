package io.dendrite.ps;

import java.io.IOException;

/** A task could not connect to the parameter server; the message names the host and port it tried. */
public final class ServerUnreachableException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The failure to reach {@code host:port}. */
    public ServerUnreachableException(String host, int port, long timeoutMillis, IOException cause) {
        super("cannot reach the parameter server at " + host + ":" + port + " within " + timeoutMillis + " ms: "
                + cause.getMessage(), cause);
    }
}
