package io.socksudp.agent.association;

import java.io.IOException;

/**
 * No association can be had with the proxy. Thrown to the application's send, so the message names the
 * proxy and the cause: it is what the user reads in the application's own error output.
 */
public final class ProxyUnavailableException extends IOException {

    private static final long serialVersionUID = 1L;

    public ProxyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public ProxyUnavailableException(String message) {
        super(message);
    }
}
