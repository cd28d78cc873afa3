package io.socksudp.agent.intercept.netty;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Netty's {@code ChannelOutboundBuffer} as the held writes need it (per buffer class, found by reflection in the
 * channel's own copy): its linked entries ({@code flushedEntry}, then {@code unflushedEntry}, each {@code next}), the
 * message of an entry, which a held message's framed datagram replaces, and {@code remove(Throwable)}, which fails
 * the first flushed entry's promise and releases its message. Unchanged from Netty 4.0 to 4.2.
 */
final class OutboundEntries {

    private static final ClassValue<Object> OF = new ClassValue<Object>() {
        @Override
        protected Object computeValue(Class<?> type) {
            try {
                return new OutboundEntries(type);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return e;
            }
        }
    };

    final Field flushedEntry;
    final Field unflushedEntry;
    final Field next;
    final Field msg;
    final Method remove;

    private OutboundEntries(Class<?> buffer) throws ReflectiveOperationException {
        flushedEntry = HeldWrites.field(buffer, "flushedEntry");
        unflushedEntry = HeldWrites.field(buffer, "unflushedEntry");
        next = HeldWrites.field(flushedEntry.getType(), "next");
        msg = HeldWrites.field(flushedEntry.getType(), "msg");
        remove = HeldWrites.method(buffer, "remove", Throwable.class);
    }

    static OutboundEntries of(Class<?> buffer) throws ReflectiveOperationException {
        Object o = OF.get(buffer);
        if (o instanceof OutboundEntries) {
            return (OutboundEntries) o;
        }
        throw new NoSuchFieldException("socksudp cannot read Netty's " + buffer.getName() + ": " + o);
    }

    /** The first entry: the first flushed one, else the first not flushed yet; null when empty. */
    Object first(Object buffer) throws IllegalAccessException {
        Object e = flushedEntry.get(buffer);
        return e != null ? e : unflushedEntry.get(buffer);
    }
}
