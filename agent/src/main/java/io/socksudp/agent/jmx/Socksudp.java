package io.socksudp.agent.jmx;

import io.socksudp.agent.metrics.Metrics;

import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.Map;
import java.util.TimeZone;

/** Reads {@link Metrics} on request; holds no state of its own. */
public final class Socksudp implements SocksudpMBean {

    @Override
    public String getProxy() {
        return Metrics.proxy();
    }

    @Override
    public long getLiveAssociations() {
        return Metrics.associationsLive();
    }

    @Override
    public long getAssociationsOpened() {
        return Metrics.associationsOpened();
    }

    @Override
    public long getAssociationsFailed() {
        return Metrics.associationsFailed();
    }

    @Override
    public long getAssociationsReestablished() {
        return Metrics.associationsReestablished();
    }

    @Override
    public long getDatagramsSentThroughProxy() {
        return Metrics.datagramsSentThroughProxy();
    }

    @Override
    public long getBytesSentThroughProxy() {
        return Metrics.bytesSentThroughProxy();
    }

    @Override
    public long getDatagramsReceivedThroughProxy() {
        return Metrics.datagramsReceivedThroughProxy();
    }

    @Override
    public long getBytesReceivedThroughProxy() {
        return Metrics.bytesReceivedThroughProxy();
    }

    @Override
    public long getDatagramsSentDirectly() {
        return Metrics.datagramsSentDirectly();
    }

    @Override
    public long getDatagramsDropped() {
        long total = 0;
        for (long n : Metrics.dropsByCause().values()) {
            total += n;
        }
        return total;
    }

    @Override
    public String getDropsByCause() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : Metrics.dropsByCause().entrySet()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    @Override
    public String getLastError() {
        return Metrics.lastError();
    }

    @Override
    public String getLastErrorTime() {
        long at = Metrics.lastErrorMillis();
        if (at == 0) {
            return "";
        }
        SimpleDateFormat f = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
        f.setTimeZone(TimeZone.getTimeZone("UTC"));
        return f.format(new Date(at));
    }
}
