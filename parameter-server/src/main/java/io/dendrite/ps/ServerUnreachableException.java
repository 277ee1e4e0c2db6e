package io.dendrite.ps;

import java.io.IOException;

/**
 * A task could not connect to the driver's parameter server or rendezvous; the message names which, and
 * the host and port it tried.
 */
public final class ServerUnreachableException extends IOException {
    private static final long serialVersionUID = 1L;
    /** How the message starts, so a failure report that lost the exception's type can still be recognised. */
    public static final String MESSAGE_START = "cannot reach the driver's ";

    /** The failure to reach {@code what} (the parameter server, the rendezvous) at {@code host:port}. */
    public ServerUnreachableException(String what, String host, int port, long timeoutMillis, IOException cause) {
        super(MESSAGE_START + what + " at " + host + ":" + port + " within " + timeoutMillis + " ms: "
                + cause.getMessage(), cause);
    }
}
