package dev.fleet.platform.conventions;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Walks a service's own OpenAPI document and sends every operation hostile input: junk path
 * parameters (NUL and other control characters, invalid UTF-8, absurd lengths, numbers out of
 * range), junk query parameters, and bodies that are broken, of the wrong shape, wrongly typed
 * field by field, absurdly nested or huge. Path and query variants take turns with each role's token
 * and none; each body goes with every role's token, since a body is read only once the role may call.
 * Whatever it sends, the service must never answer 5xx, and every 4xx must be problem+json.
 * Only clearly invalid bodies are sent, so nothing is created or changed by a run.
 */
final class HostileInputFuzzer {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");
    private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");
    /** Raw path segments, already percent-encoded as they go on the wire. */
    private static final List<String> HOSTILE_SEGMENTS = List.of("%00", "a%0Ab", "%FF%FE", "%C0%AF",
            "x".repeat(3000), "%E2%82%AC".repeat(400), "-1", "99999999999999999999999", "1e999", "%2E%2E%2F%2E%2E",
            "'%20OR%201=1--", "%F0%9F%98%80");
    private static final List<String> HOSTILE_QUERY_VALUES = List.of("%00", "%0D%0AX-Injected:%201", "%FF",
            "-1", "99999999999999999999999", "NaN", "x".repeat(3000), "");
    private static final int HUGE_STRING = 200_000;
    private static final int DEEP_NESTING = 5_000;

    /** The roles' tokens, then none: path and query variants take turns with them, bodies go with each role. */
    private final List<String> tokens;
    private int turn;
    private final JsonPath openapi;
    private final List<String> failures = new ArrayList<>();
    private int requests;

    HostileInputFuzzer(List<String> roleTokens) {
        this.tokens = new ArrayList<>(roleTokens);
        this.tokens.add(null);
        this.openapi = new JsonPath(given().accept(ContentType.JSON).get("/q/openapi?format=json").then()
                .statusCode(200).extract().asString());
    }

    /** Sends everything; returns one line per answer that broke the rules (empty: none did). */
    List<String> run() {
        Map<String, Map<String, Object>> paths = openapi.getMap("paths");
        paths.forEach((template, operations) -> operations.forEach((method, operation) -> {
            if (METHODS.contains(method)) {
                fuzz(template, method, asMap(operation));
            }
        }));
        return failures;
    }

    int requests() {
        return requests;
    }

    private void fuzz(String template, String method, Map<String, Object> operation) {
        boolean hasBody = operation.containsKey("requestBody");
        boolean streams = String.valueOf(operation.get("responses")).contains("text/event-stream");
        List<Map<String, Object>> parameters = parameters(operation);
        if (PARAMETER.matcher(template).find()) {
            for (String hostile : HOSTILE_SEGMENTS) {
                String path = fill(template, parameters, hostile);
                send(method, path, hasBody ? utf8("{") : null, "hostile path value", nextToken());
            }
        }
        if (!streams) {
            // With plausible path values a stream would stay open: query fuzzing skips streaming operations.
            for (Map<String, Object> parameter : parameters) {
                if (!"query".equals(parameter.get("in"))) {
                    continue;
                }
                for (String value : HOSTILE_QUERY_VALUES) {
                    String path = fill(template, parameters, null) + "?" + parameter.get("name") + "=" + value;
                    send(method, path, hasBody ? utf8("{") : null, "hostile query value", nextToken());
                }
            }
        }
        if (hasBody) {
            String path = fill(template, parameters, null);
            Map<String, Object> properties = bodyProperties(operation);
            for (Map.Entry<String, byte[]> body : hostileBodies(properties).entrySet()) {
                // A body is only read once the role may call the operation: try it with every role.
                for (String token : tokens.subList(0, tokens.size() - 1)) {
                    send(method, path, body.getValue(), body.getKey(), token);
                }
            }
        }
    }

    private String nextToken() {
        return tokens.get(turn++ % tokens.size());
    }

    private void send(String method, String path, byte[] body, String variant, String token) {
        RequestSpecification request = given().urlEncodingEnabled(false)
                .config(RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
                        .setParam("http.socket.timeout", 60_000)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.contentType("application/json").body(body);
        }
        Response response = request.request(method.toUpperCase(), path);
        requests++;
        int status = response.statusCode();
        String contentType = response.contentType() == null ? "" : response.contentType();
        if (status >= 500 || (status >= 400 && !contentType.startsWith("application/problem+json"))) {
            String answer = response.asString();
            failures.add(method.toUpperCase() + " " + shorten(path) + " (" + variant + ", "
                    + (token == null ? "no token" : "token " + token) + ") -> " + status + " " + contentType + " "
                    + shorten(answer));
        }
    }

    /** The template with every path parameter set: to {@code hostile}, or to a plausible value of its type. */
    private static String fill(String template, List<Map<String, Object>> parameters, String hostile) {
        Matcher matcher = PARAMETER.matcher(template);
        StringBuilder path = new StringBuilder();
        while (matcher.find()) {
            String value = hostile != null ? hostile : plausible(type(parameters, matcher.group(1)));
            matcher.appendReplacement(path, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(path);
        return path.toString();
    }

    /** A value of the parameter's type that names nothing that exists. */
    private static String plausible(String type) {
        return switch (type) {
            case "integer", "number" -> "987654321987";
            case "uuid" -> UUID.randomUUID().toString();
            default -> "fuzz-" + UUID.randomUUID().toString().substring(0, 8);
        };
    }

    private static String type(List<Map<String, Object>> parameters, String name) {
        for (Map<String, Object> parameter : parameters) {
            if (name.equals(parameter.get("name")) && parameter.get("schema") instanceof Map<?, ?> schema) {
                Object format = schema.get("format");
                return "uuid".equals(format) ? "uuid" : String.valueOf(schema.get("type"));
            }
        }
        return "string";
    }

    private static List<Map<String, Object>> parameters(Map<String, Object> operation) {
        List<Map<String, Object>> parameters = new ArrayList<>();
        if (operation.get("parameters") instanceof List<?> list) {
            for (Object parameter : list) {
                parameters.add(asMap(parameter));
            }
        }
        return parameters;
    }

    /** Property name to its schema type (resolved through {@code $ref}), for the body's JSON schema. */
    private Map<String, Object> bodyProperties(Map<String, Object> operation) {
        Object schema = asMap(asMap(asMap(operation.get("requestBody")).get("content")).get("application/json"))
                .get("schema");
        Map<String, Object> resolved = resolve(asMap(schema));
        return asMap(resolved.get("properties"));
    }

    private Map<String, Object> resolve(Map<String, Object> schema) {
        Object ref = schema.get("$ref");
        if (ref instanceof String reference && reference.startsWith("#/components/schemas/")) {
            Map<String, Object> schemas = openapi.getMap("components.schemas");
            return asMap(schemas.get(reference.substring("#/components/schemas/".length())));
        }
        return schema;
    }

    private static Map<String, byte[]> hostileBodies(Map<String, Object> properties) {
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        bodies.put("broken JSON", utf8("{\"a\": "));
        bodies.put("an array", utf8("[1, 2]"));
        bodies.put("a string", utf8("\"text\""));
        bodies.put("a number", utf8("42"));
        bodies.put("NUL as name and value", utf8("{\"\\u0000\": \"\\u0000\"}"));
        bodies.put("invalid UTF-8", new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}' });
        bodies.put("deep nesting", utf8("[".repeat(DEEP_NESTING) + "]".repeat(DEEP_NESTING)));
        if (!properties.isEmpty()) {
            StringBuilder wrongTypes = new StringBuilder("{");
            StringBuilder huge = new StringBuilder("{");
            String big = "\"" + "y".repeat(HUGE_STRING / Math.max(1, properties.size())) + "\"";
            for (String name : properties.keySet()) {
                String type = String.valueOf(asMap(properties.get(name)).get("type"));
                // Each field gets a value of a type it cannot have.
                String wrong = switch (type) {
                    case "string" -> "{\"nested\": [true]}";
                    case "object" -> "[\"\\u0000\"]";
                    default -> "\"not-a-" + type + "\\u0000\"";
                };
                wrongTypes.append(wrongTypes.length() > 1 ? ", " : "").append('"').append(name).append("\": ").append(wrong);
                huge.append(huge.length() > 1 ? ", " : "").append('"').append(name).append("\": ")
                        .append("string".equals(type) ? big : "[" + big + "]");
            }
            bodies.put("every field of a wrong type", utf8(wrongTypes.append('}').toString()));
            bodies.put("huge values", utf8(huge.append('}').toString()));
        }
        return bodies;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    private static String shorten(String text) {
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }
}
