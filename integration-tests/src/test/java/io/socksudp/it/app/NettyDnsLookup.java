package io.socksudp.it.app;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;

/**
 * Netty's own asynchronous DNS resolver ({@code netty-resolver-dns}'s {@code DnsNameResolver}), written as its
 * documentation shows it and knowing nothing about SOCKS: it sends its queries from a Netty datagram channel of the
 * transport given (Netty's native epoll or io_uring, or NIO) to one name server, and believes only answers from that
 * server's address. Runs on Netty 4.1 and 4.2 alike (their builder API is the same; the transport is named, not linked).
 *
 * <p>Usage: {@code NettyDnsLookup --transport nio|epoll|io_uring|incubator_io_uring --server IP:PORT NAME...}. Prints {@code NETTYDNS
 * channel CLASS}, then per name {@code NETTYDNS NAME -> [ADDRESSES]} (IPv4 only, sorted) or {@code NETTYDNS NAME ->
 * ERROR cause}, then {@code NETTYDNS done} (exit 0). A transport this machine cannot run prints {@code NETTYDNS
 * UNAVAILABLE cause} and exits 3.
 */
public final class NettyDnsLookup {
    public static void main(String[] args) throws Exception {
        String transport = "nio";
        String server = null;
        List<String> names = new ArrayList<String>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--transport")) {
                transport = args[++i];
            } else if (args[i].equals("--server")) {
                server = args[++i];
            } else {
                names.add(args[i]);
            }
        }
        if (server == null || names.isEmpty()) {
            throw new IllegalArgumentException("usage: NettyDnsLookup --transport nio|epoll|io_uring|incubator_io_uring --server IP:PORT NAME...");
        }
        int colon = server.lastIndexOf(':');
        InetSocketAddress nameServer = new InetSocketAddress(InetAddress.getByName(server.substring(0, colon)),
                Integer.parseInt(server.substring(colon + 1)));
        EventLoopGroup group;
        Class<? extends DatagramChannel> channelType;
        if (transport.equals("nio")) {
            group = new NioEventLoopGroup(1);
            channelType = NioDatagramChannel.class;
        } else {
            NettyNativeEchoClient.Transport t = NettyNativeEchoClient.Transport.of(transport);
            Throwable unavailable = t.unavailability();
            if (unavailable != null) {
                System.out.println("NETTYDNS UNAVAILABLE " + unavailable);
                System.exit(3);
            }
            group = t.newGroup();
            channelType = t.channelClass.asSubclass(DatagramChannel.class);
        }
        System.out.println("NETTYDNS channel " + channelType.getName());
        try {
            DnsNameResolver resolver = new DnsNameResolverBuilder(group.next())
                    .channelType(channelType)
                    .nameServerProvider(new SingletonDnsServerAddressStreamProvider(nameServer))
                    .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
                    .searchDomains(Collections.<String>emptyList())
                    .queryTimeoutMillis(3000)
                    .build();
            try {
                for (String name : names) {
                    Future<List<InetAddress>> answer = resolver.resolveAll(name).await();
                    if (answer.isSuccess()) {
                        List<String> addresses = new ArrayList<String>();
                        for (InetAddress a : answer.getNow()) {
                            addresses.add(a.getHostAddress());
                        }
                        Collections.sort(addresses);
                        System.out.println("NETTYDNS " + name + " -> " + addresses);
                    } else {
                        System.out.println("NETTYDNS " + name + " -> ERROR " + answer.cause());
                    }
                }
            } finally {
                resolver.close();
            }
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await();
        }
        System.out.println("NETTYDNS done");
    }
}
