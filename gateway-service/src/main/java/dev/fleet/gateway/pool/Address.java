package dev.fleet.gateway.pool;

import java.net.URI;

/** Where an instance listens: {@code http://host:port} (https when {@code ssl}). */
public record Address(String host, int port, boolean ssl) {

    /** Parses {@code http://host:port}, {@code https://host[:port]} or {@code host:port}. */
    public static Address parse(String text) {
        String trimmed = text.trim();
        URI uri = URI.create(trimmed.contains("://") ? trimmed : "http://" + trimmed);
        boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
        if (uri.getHost() == null || !(ssl || "http".equalsIgnoreCase(uri.getScheme()))) {
            throw new IllegalArgumentException("not an http(s)://host:port address: " + text);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
        return new Address(uri.getHost(), port, ssl);
    }

    @Override
    public String toString() {
        return (ssl ? "https://" : "http://") + host + ":" + port;
    }
}
