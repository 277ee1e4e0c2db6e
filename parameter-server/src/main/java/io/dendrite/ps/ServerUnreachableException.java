package io.dendrite.ps;

import java.io.IOException;

/** A task could not connect to the parameter server; the message names the host and port it tried. */
public final class ServerUnreachableException extends IOException {
    private static final long serialVersionUID = 1L;
    /** How the message starts, so a failure report that lost the exception's type can still be recognised. */
    public static final String MESSAGE_START = "cannot reach the parameter server at ";

    /** The failure to reach {@code host:port}. */
    public ServerUnreachableException(String host, int port, long timeoutMillis, IOException cause) {
        super(MESSAGE_START + host + ":" + port + " within " + timeoutMillis + " ms: "
                + cause.getMessage(), cause);
    }
}
