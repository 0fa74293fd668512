package dev.fleet.gateway.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/**
 * An upstream's response head as {@link ResponseParser} read it: one copy of its bytes, with the
 * status, reason and each header name and value as offsets into them. Names and values are handed
 * out as views ({@link AsciiString} over the same bytes), so relaying a header copies nothing.
 */
final class ResponseHead {

    /** RFC 9110 tchar: the bytes a header name is made of. */
    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (char c : "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private final byte[] bytes;
    private final int status;
    private final boolean http10;
    private final int reasonStart;
    private final int reasonEnd;
    /** For header i: name start, name end, value start, value end. */
    private final int[] offsets;
    private final int headers;
    /** Where the Connection and Content-Length headers are (-1: absent). */
    private final int connectionAt;
    private final int contentLengthAt;

    private ResponseHead(byte[] bytes, int status, boolean http10, int reasonStart, int reasonEnd, int[] offsets, int headers) {
        this.bytes = bytes;
        this.status = status;
        this.http10 = http10;
        this.reasonStart = reasonStart;
        this.reasonEnd = reasonEnd;
        this.offsets = offsets;
        this.headers = headers;
        this.connectionAt = indexOf("connection");
        this.contentLengthAt = indexOf("content-length");
    }

    /**
     * Parses a head: the status line and the header lines, each ending in CRLF or LF, through the
     * empty line. Line folding (obsolete) joins a line to the header before it, with spaces in place
     * of the line break (RFC 9112 §5.2).
     */
    static ResponseHead parse(byte[] bytes) throws IOException {
        int eol = lineEnd(bytes, 0);
        int lineEnd = trimCr(bytes, 0, eol);
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (lineEnd < 12 || !startsWith(bytes, "HTTP/1.") || (bytes[7] != '1' && bytes[7] != '0') || bytes[8] != ' '
                || !digit(bytes[9]) || !digit(bytes[10]) || !digit(bytes[11]) || (lineEnd > 12 && bytes[12] != ' ')) {
            throw new IOException("invalid status line " + quote(bytes, 0, lineEnd));
        }
        int status = (bytes[9] - '0') * 100 + (bytes[10] - '0') * 10 + (bytes[11] - '0');
        int reasonStart = Math.min(13, lineEnd);
        int[] offsets = new int[4 * Math.max(1, lines(bytes) - 2)]; // all but the status and empty lines
        int headers = 0;
        int start = eol + 1;
        while (true) {
            eol = lineEnd(bytes, start);
            int end = trimCr(bytes, start, eol);
            if (end == start) {
                break; // the empty line
            }
            if (bytes[start] == ' ' || bytes[start] == '\t') {
                if (headers == 0) {
                    throw new IOException("a folded line before any header");
                }
                for (int i = offsets[4 * headers - 1]; i < start; i++) {
                    bytes[i] = ' ';
                }
                offsets[4 * headers - 1] = trimEnd(bytes, offsets[4 * headers - 2], end);
                checkValue(bytes, offsets[4 * headers - 2], offsets[4 * headers - 1]);
                start = eol + 1;
                continue;
            }
            int colon = start;
            while (colon < end && bytes[colon] != ':') {
                if (!TOKEN[bytes[colon] & 0xFF]) {
                    throw new IOException("invalid header name in " + quote(bytes, start, end));
                }
                colon++;
            }
            if (colon == start || colon == end) {
                throw new IOException("invalid header line " + quote(bytes, start, end));
            }
            int valueStart = colon + 1;
            while (valueStart < end && (bytes[valueStart] == ' ' || bytes[valueStart] == '\t')) {
                valueStart++;
            }
            int valueEnd = trimEnd(bytes, valueStart, end);
            checkValue(bytes, valueStart, valueEnd);
            offsets[4 * headers] = start;
            offsets[4 * headers + 1] = colon;
            offsets[4 * headers + 2] = valueStart;
            offsets[4 * headers + 3] = valueEnd;
            headers++;
            start = eol + 1;
        }
        return new ResponseHead(bytes, status, bytes[7] == '0', reasonStart, lineEnd, offsets, headers);
    }

    /** A line for an error message (which reaches the client's problem detail): its first 100 bytes. */
    private static String quote(byte[] bytes, int start, int end) {
        int length = Math.min(end - start, 100);
        return "'" + new String(bytes, start, length, StandardCharsets.ISO_8859_1) + (end - start > length ? "…'" : "'");
    }

    /** Field values hold visible bytes, spaces and tabs (and obs-text), no other control byte. */
    private static void checkValue(byte[] bytes, int start, int end) throws IOException {
        for (int i = start; i < end; i++) {
            int b = bytes[i] & 0xFF;
            if ((b < 0x20 && b != '\t') || b == 0x7F) {
                throw new IOException("control character in a header value");
            }
        }
    }

    private static int lines(byte[] bytes) {
        int lines = 0;
        for (byte b : bytes) {
            if (b == '\n') {
                lines++;
            }
        }
        return lines;
    }

    private static int lineEnd(byte[] bytes, int from) throws IOException {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        throw new IOException("response head without its empty line");
    }

    private static int trimCr(byte[] bytes, int start, int eol) {
        return eol > start && bytes[eol - 1] == '\r' ? eol - 1 : eol;
    }

    private static int trimEnd(byte[] bytes, int start, int end) {
        while (end > start && (bytes[end - 1] == ' ' || bytes[end - 1] == '\t')) {
            end--;
        }
        return end;
    }

    private static boolean startsWith(byte[] bytes, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    int status() {
        return status;
    }

    boolean http10() {
        return http10;
    }

    /** The reason phrase if it is not the standard one for the status (null otherwise). */
    String customReason() {
        String standard = HttpResponseStatus.valueOf(status).reasonPhrase();
        AsciiString reason = new AsciiString(bytes, reasonStart, reasonEnd - reasonStart, false);
        return reason.contentEquals(standard) ? null : reason.toString();
    }

    int size() {
        return headers;
    }

    CharSequence name(int i) {
        return view(offsets[4 * i], offsets[4 * i + 1]);
    }

    CharSequence value(int i) {
        return view(offsets[4 * i + 2], offsets[4 * i + 3]);
    }

    /** The first value of header {@code lowerCaseName}, or null. */
    CharSequence get(String lowerCaseName) {
        int i = indexOf(lowerCaseName);
        return i < 0 ? null : value(i);
    }

    CharSequence connection() {
        return connectionAt < 0 ? null : value(connectionAt);
    }

    boolean hasContentLength() {
        return contentLengthAt >= 0;
    }

    /**
     * The body's length from Content-Length (-1 if none). Repeated lines or lists must agree
     * (RFC 9110 §8.6); anything else is not a length.
     */
    long contentLength() throws IOException {
        long length = -1;
        for (int i = 0; i < headers; i++) {
            if (!nameIs(i, "content-length")) {
                continue;
            }
            int end = offsets[4 * i + 3];
            int at = offsets[4 * i + 2];
            while (at <= end) {
                while (at < end && (bytes[at] == ' ' || bytes[at] == '\t')) {
                    at++;
                }
                long value = 0;
                int digits = 0;
                while (at < end && digit(bytes[at])) {
                    if (++digits > 18) {
                        throw new IOException("Content-Length too large");
                    }
                    value = value * 10 + (bytes[at++] - '0');
                }
                while (at < end && (bytes[at] == ' ' || bytes[at] == '\t')) {
                    at++;
                }
                if (digits == 0 || (at < end && bytes[at] != ',')) {
                    throw new IOException("invalid Content-Length " + quote(bytes, offsets[4 * i + 2], end));
                }
                if (length >= 0 && value != length) {
                    throw new IOException("conflicting Content-Length values");
                }
                length = value;
                at++; // past the comma, or the end
            }
        }
        return length;
    }

    /** Whether any value of header {@code lowerCaseName} holds {@code token} (comma-separated, any case). */
    boolean hasToken(String lowerCaseName, String token) {
        for (int i = 0; i < headers; i++) {
            if (nameIs(i, lowerCaseName) && holdsToken(offsets[4 * i + 2], offsets[4 * i + 3], token)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the header at {@code i} is named {@code lowerCaseName}. */
    boolean nameIs(int i, String lowerCaseName) {
        int start = offsets[4 * i];
        int length = offsets[4 * i + 1] - start;
        if (length != lowerCaseName.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if (lower(bytes[start + k]) != lowerCaseName.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private boolean holdsToken(int start, int end, String token) {
        int from = start;
        while (from < end) {
            int comma = from;
            while (comma < end && bytes[comma] != ',') {
                comma++;
            }
            int a = from;
            int b = comma;
            while (a < b && (bytes[a] == ' ' || bytes[a] == '\t')) {
                a++;
            }
            while (b > a && (bytes[b - 1] == ' ' || bytes[b - 1] == '\t')) {
                b--;
            }
            if (b - a == token.length() && regionIsIgnoringCase(a, token)) {
                return true;
            }
            from = comma + 1;
        }
        return false;
    }

    private boolean regionIsIgnoringCase(int start, String token) {
        for (int k = 0; k < token.length(); k++) {
            if (lower(bytes[start + k]) != Character.toLowerCase(token.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    private int indexOf(String lowerCaseName) {
        for (int i = 0; i < headers; i++) {
            if (nameIs(i, lowerCaseName)) {
                return i;
            }
        }
        return -1;
    }

    private AsciiString view(int start, int end) {
        return new AsciiString(bytes, start, end - start, false);
    }
}
