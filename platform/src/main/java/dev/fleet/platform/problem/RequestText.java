package dev.fleet.platform.problem;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Checks the text of a request's path and query before any endpoint reads it: every percent-escape
 * well formed, the bytes valid UTF-8, no control character (NUL, line breaks, ...) and no path
 * segment longer than the limit. Names and ids end up in SQL parameters, log lines, headers and
 * NOTIFY payloads, where such text fails (PostgreSQL refuses NUL) or misleads; refusing it once at
 * the edge gives one clear 400 instead of a surprise deep inside each service.
 */
final class RequestText {

    private static final int PRINTABLE_MAX = 200;

    private RequestText() {
    }

    /** Why the raw (still percent-encoded) path is refused, or empty when it is fine. */
    static Optional<String> pathProblem(String rawPath, int maxSegment) {
        if (rawPath == null) {
            return Optional.empty();
        }
        int index = 0;
        for (String segment : rawPath.split("/", -1)) {
            String decoded;
            try {
                decoded = decode(segment, false);
            } catch (IllegalArgumentException e) {
                return Optional.of("Path segment " + index + " " + e.getMessage());
            }
            Optional<String> control = controlCharacter(decoded);
            if (control.isPresent()) {
                return Optional.of("Path segment " + index + " holds the control character " + control.get()
                        + "; names and ids may not.");
            }
            int length = decoded.codePointCount(0, decoded.length());
            if (length > maxSegment) {
                return Optional.of("Path segment " + index + " is " + length + " characters long; names and ids"
                        + " have at most " + maxSegment + ".");
            }
            index++;
        }
        return Optional.empty();
    }

    /** Why the raw query string is refused, or empty when it is fine. */
    static Optional<String> queryProblem(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Optional.empty();
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String rawName = equals < 0 ? pair : pair.substring(0, equals);
            String name = printable(rawName);
            try {
                String decodedName = decode(rawName, true);
                String decodedValue = equals < 0 ? "" : decode(pair.substring(equals + 1), true);
                Optional<String> control = controlCharacter(decodedName + decodedValue);
                if (control.isPresent()) {
                    return Optional.of("Query parameter '" + name + "' holds the control character " + control.get()
                            + ".");
                }
            } catch (IllegalArgumentException e) {
                return Optional.of("Query parameter '" + name + "' " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** {@code text} cut to a length fit for a problem's detail or instance. */
    static String printable(String text) {
        return text.length() <= PRINTABLE_MAX ? text : text.substring(0, PRINTABLE_MAX) + "…";
    }

    private static String decode(String raw, boolean plusIsSpace) {
        if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (low < 0) {
                    throw new IllegalArgumentException("has a '%' that is not followed by two hex digits.");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("is not valid UTF-8 once percent-decoded.");
        }
    }

    private static Optional<String> controlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.getType(c) == Character.CONTROL) {
                return Optional.of(String.format("U+%04X", (int) c));
            }
        }
        return Optional.empty();
    }
}
