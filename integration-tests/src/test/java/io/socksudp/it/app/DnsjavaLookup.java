package io.socksudp.it.app;

import java.net.InetAddress;
import java.time.Duration;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * An ordinary dnsjava client, written as anyone would, knowing nothing about SOCKS: asks one DNS server over UDP
 * (dnsjava's SimpleResolver, i.e. its non-blocking, selector-driven NioUdpClient) for the A records of some names.
 *
 * <p>Usage: {@code DnsjavaLookup --server IP --port N NAME...}. Prints {@code dnsjava: NAME rcode RCODE},
 * {@code dnsjava: NAME A ADDRESS} per answer, then {@code dnsjava: OK} (exit 0) or {@code dnsjava: FAILED ...} (exit 1).
 */
public final class DnsjavaLookup {
    public static void main(String[] args) throws Exception {
        String server = null;
        int port = 53;
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server":
                    server = args[++i];
                    break;
                case "--port":
                    port = Integer.parseInt(args[++i]);
                    break;
                default:
                    names.add(args[i]);
                    break;
            }
        }
        SimpleResolver resolver = new SimpleResolver(InetAddress.getByName(server));
        resolver.setPort(port);
        resolver.setTCP(false);
        resolver.setIgnoreTruncation(true);
        resolver.setTimeout(Duration.ofSeconds(5));
        try {
            for (String n : names) {
                Name name = Name.fromString(n.endsWith(".") ? n : n + ".");
                Message query = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
                Message response = resolver.send(query);
                System.out.println("dnsjava: " + n + " rcode " + Rcode.string(response.getRcode()));
                for (Record r : response.getSection(Section.ANSWER)) {
                    if (r.getType() == Type.A) {
                        System.out.println("dnsjava: " + n + " A " + ((org.xbill.DNS.ARecord) r).getAddress().getHostAddress());
                    }
                }
            }
            System.out.println("dnsjava: OK");
            System.out.flush();
            System.exit(0);
        } catch (Exception e) {
            System.out.println("dnsjava: FAILED " + e);
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
    }
}
