package io.socksudp.demo.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How a {@link ReferenceRelay} behaves. Each behaviour is one field with a builder method; the quirks of real
 * servers are the {@link Misbehaviour} switches.
 *
 * @param listenAddress   where the TCP control listener binds; port 0 picks an ephemeral port
 * @param credentials     when present, only RFC 1929 username/password is offered, and these are required
 * @param externalAddress the address remote hosts see datagrams come from; empty: the address the control
 *                        connection arrived on (like Dante with {@code internal} and {@code external} alike)
 * @param eventSink       told about everything that happens; called on relay threads, must not block long
 * @param misbehaviours   the quirks of real servers to imitate (empty: RFC 1928 as Dante reads it)
 * @param dropAfter       with {@link Misbehaviour#DROP_TCP_RANDOM}: the mean lifetime of a control connection
 * @param randomSeed      seeds the random lifetimes, so that a run can be repeated
 */
public record RelayOptions(InetSocketAddress listenAddress, Optional<Credentials> credentials,
                           Optional<InetAddress> externalAddress, Consumer<RelayEvent> eventSink,
                           Set<Misbehaviour> misbehaviours, Duration dropAfter, long randomSeed) {

    /** What {@link Misbehaviour#BND_UNREACHABLE} advertises as BND.ADDR: private, and routed nowhere. */
    public static final String UNREACHABLE_BND = "10.255.255.1";

    /** The default mean lifetime for {@link Misbehaviour#DROP_TCP_RANDOM}. */
    public static final Duration DEFAULT_DROP_AFTER = Duration.ofSeconds(1);

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
        Objects.requireNonNull(dropAfter, "dropAfter");
        Objects.requireNonNull(misbehaviours, "misbehaviours");
        misbehaviours = misbehaviours.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(misbehaviours));
        if (misbehaviours.contains(Misbehaviour.STRICT_DST) && misbehaviours.contains(Misbehaviour.IGNORE_DST)) {
            throw new IllegalArgumentException("strict-dst and ignore-dst contradict each other");
        }
        if (misbehaviours.contains(Misbehaviour.BND_WILDCARD) && misbehaviours.contains(Misbehaviour.BND_UNREACHABLE)) {
            throw new IllegalArgumentException("bnd-wildcard and bnd-unreachable contradict each other");
        }
        if (dropAfter.isNegative() || dropAfter.isZero()) {
            throw new IllegalArgumentException("dropAfter must be positive, not " + dropAfter);
        }
    }

    public boolean has(Misbehaviour misbehaviour) {
        return misbehaviours.contains(misbehaviour);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: 127.0.0.1, an ephemeral port, no authentication, events discarded, no misbehaviour. */
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
        builder.misbehaviours.addAll(misbehaviours);
        builder.dropAfter = dropAfter;
        builder.randomSeed = randomSeed;
        return builder;
    }

    public static final class Builder {
        private InetAddress bindAddress = loopbackV4();
        private int port;
        private Credentials credentials;
        private InetAddress externalAddress;
        private Consumer<RelayEvent> eventSink = event -> { };
        private final Set<Misbehaviour> misbehaviours = EnumSet.noneOf(Misbehaviour.class);
        private Duration dropAfter = DEFAULT_DROP_AFTER;
        private long randomSeed = System.nanoTime();

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

        /** Adds quirks of real servers; see {@link Misbehaviour}. */
        public Builder misbehave(Misbehaviour... quirks) {
            misbehaviours.addAll(java.util.Arrays.asList(quirks));
            return this;
        }

        public Builder misbehave(Set<Misbehaviour> quirks) {
            misbehaviours.addAll(quirks);
            return this;
        }

        /** The mean control-connection lifetime for {@link Misbehaviour#DROP_TCP_RANDOM}. */
        public Builder dropAfter(Duration meanLifetime) {
            this.dropAfter = Objects.requireNonNull(meanLifetime);
            return this;
        }

        public Builder randomSeed(long seed) {
            this.randomSeed = seed;
            return this;
        }

        public RelayOptions build() {
            return new RelayOptions(new InetSocketAddress(bindAddress, port), Optional.ofNullable(credentials),
                    Optional.ofNullable(externalAddress), eventSink, misbehaviours, dropAfter, randomSeed);
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
