package io.socksudp.demo.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How a {@link ReferenceRelay} behaves. Each behaviour is one field with a builder method, so that the
 * quirks of real servers can later be added as small, independent switches beside these.
 *
 * @param listenAddress   where the TCP control listener binds; port 0 picks an ephemeral port
 * @param credentials     when present, only RFC 1929 username/password is offered, and these are required
 * @param externalAddress the address remote hosts see datagrams come from; empty: the address the control
 *                        connection arrived on (like Dante with {@code internal} and {@code external} alike)
 * @param eventSink       told about everything that happens; called on relay threads, must not block long
 */
public record RelayOptions(InetSocketAddress listenAddress, Optional<Credentials> credentials,
                           Optional<InetAddress> externalAddress, Consumer<RelayEvent> eventSink) {

    public record Credentials(String username, String password) {
        public Credentials {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=***]";
        }
    }

    public RelayOptions {
        Objects.requireNonNull(listenAddress, "listenAddress");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(externalAddress, "externalAddress");
        Objects.requireNonNull(eventSink, "eventSink");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: 127.0.0.1, an ephemeral port, no authentication, events discarded. */
    public static RelayOptions defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.bindAddress = listenAddress.getAddress();
        builder.port = listenAddress.getPort();
        builder.credentials = credentials.orElse(null);
        builder.externalAddress = externalAddress.orElse(null);
        builder.eventSink = eventSink;
        return builder;
    }

    public static final class Builder {
        private InetAddress bindAddress = loopbackV4();
        private int port;
        private Credentials credentials;
        private InetAddress externalAddress;
        private Consumer<RelayEvent> eventSink = event -> { };

        private Builder() {
        }

        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address);
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            this.port = port;
            return this;
        }

        public Builder credentials(String username, String password) {
            this.credentials = new Credentials(username, password);
            return this;
        }

        public Builder noAuthentication() {
            this.credentials = null;
            return this;
        }

        public Builder externalAddress(InetAddress address) {
            this.externalAddress = address;
            return this;
        }

        public Builder eventSink(Consumer<RelayEvent> sink) {
            this.eventSink = Objects.requireNonNull(sink);
            return this;
        }

        public RelayOptions build() {
            return new RelayOptions(new InetSocketAddress(bindAddress, port), Optional.ofNullable(credentials),
                    Optional.ofNullable(externalAddress), eventSink);
        }
    }

    /** 127.0.0.1 whatever {@code java.net.preferIPv6Addresses} says. */
    static InetAddress loopbackV4() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
