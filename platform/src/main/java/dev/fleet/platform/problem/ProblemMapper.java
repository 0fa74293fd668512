package dev.fleet.platform.problem;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.quarkus.hibernate.validator.runtime.jaxrs.ResteasyReactiveViolationException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.pgclient.PgException;

/**
 * Turns every exception that leaves a REST endpoint into {@code application/problem+json}.
 * REST serves every path, so unknown routes end here too; requests over a limit or with hostile
 * path or query text are answered earlier by {@link RequestLimitProblems}.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response mapProblem(ProblemException e, HttpServerRequest request) {
        return Problem.response(e.status(),
                Problem.body(e.status(), e.type(), e.title(), e.getMessage(), request.path(), e.extensions()),
                e.retryAfter());
    }

    /** Bean Validation on request bodies and parameters: 400 naming every bad field. */
    @ServerExceptionMapper
    public Response mapViolations(ResteasyReactiveViolationException e, HttpServerRequest request) {
        return violations(e, request);
    }

    @ServerExceptionMapper
    public Response mapConstraintViolations(ConstraintViolationException e, HttpServerRequest request) {
        return violations(e, request);
    }

    /** Malformed JSON, or JSON of the wrong shape for the request type. */
    @ServerExceptionMapper(priority = 1)
    public Response mapJson(JsonProcessingException e, HttpServerRequest request) {
        String field = e instanceof JsonMappingException mapping ? fieldPath(mapping.getPath()) : null;
        String detail = "The request body is not valid JSON for this endpoint: " + e.getOriginalMessage();
        Map<String, Object> extensions = field == null || field.isEmpty() ? Map.of() : Map.of("field", field);
        return Problem.response(400,
                Problem.body(400, "malformed-json", "Malformed JSON", detail, request.path(), extensions), null);
    }

    /** Replaces quarkus-rest-jackson's own mapper for this subtype, which answers plain JSON. */
    @ServerExceptionMapper
    public Response mapMismatchedInput(MismatchedInputException e, HttpServerRequest request) {
        return mapJson(e, request);
    }

    @ServerExceptionMapper
    public Response mapUnauthorized(UnauthorizedException e, HttpServerRequest request) {
        return unauthorized("This endpoint needs an 'Authorization: Bearer <token>' header.", request);
    }

    @ServerExceptionMapper
    public Response mapAuthenticationFailed(AuthenticationFailedException e, HttpServerRequest request) {
        return unauthorized("The bearer token is not valid.", request);
    }

    @ServerExceptionMapper
    public Response mapForbidden(ForbiddenException e, HttpServerRequest request) {
        return Problem.response(403, Problem.body(403, "forbidden", "Forbidden",
                "The token's role may not use this endpoint.", request.path(), Map.of()), null);
    }

    /** JAX-RS errors (404 no resource, 405, 406, 415, …) keep their status and get a problem body. */
    @ServerExceptionMapper
    public Response mapWebApplication(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return mapJson(json, request);
        }
        if (e instanceof NotSupportedException) {
            return Problem.response(415, Problem.body(415, null, Problem.titleFor(415),
                    "Send the body as application/json (this request's Content-Type was "
                            + request.getHeader("Content-Type") + ").", request.path(), Map.of()), null);
        }
        if (e instanceof NotFoundException) {
            return Problem.response(404, Problem.body(404, "route-not-found", "Not Found",
                    "No endpoint serves " + request.method() + " " + request.path() + ".", request.path(), Map.of()),
                    null);
        }
        return Problem.response(status,
                Problem.body(status, null, Problem.titleFor(status), e.getMessage(), request.path(), Map.of()), null);
    }

    /**
     * Anything else is a bug: log it with a reference the caller can quote, reveal nothing. One
     * exception: PostgreSQL refusing a value as data (SQLSTATE class 22: a NUL in text, a date past
     * its range, a number too large) means the client sent it, so that is a 400; the statement failed,
     * so nothing changed.
     */
    @ServerExceptionMapper
    public Response mapUnexpected(Throwable e, HttpServerRequest request) {
        PgException refused = dataException(e);
        if (refused != null) {
            return Problem.response(400, Problem.body(400, "invalid-value", "Invalid value",
                    "A value in the request cannot be stored: " + refused.getErrorMessage() + ".",
                    request.path(), Map.of()), null);
        }
        String reference = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s on %s %s", reference, request.method(), request.path());
        return Problem.response(500, Problem.body(500, "internal", "Internal server error",
                "An unexpected error occurred; quote reference " + reference + " when reporting it.",
                request.path(), Map.of("reference", reference)), null);
    }

    private static PgException dataException(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("22")) {
                return pg;
            }
        }
        return null;
    }

    private static Response unauthorized(String detail, HttpServerRequest request) {
        Response base = Problem.response(401,
                Problem.body(401, "unauthorized", "Unauthorized", detail, request.path(), Map.of()), null);
        return Response.fromResponse(base).header("WWW-Authenticate", "Bearer realm=\"fleet\"").build();
    }

    private static Response violations(ConstraintViolationException e, HttpServerRequest request) {
        List<Map<String, String>> errors = e.getConstraintViolations().stream()
                .map(v -> Map.of("field", fieldOf(v), "message", v.getMessage()))
                .sorted((a, b) -> a.get("field").compareTo(b.get("field")))
                .toList();
        String detail = errors.stream().map(err -> err.get("field") + " " + err.get("message"))
                .collect(Collectors.joining("; "));
        return Problem.response(400, Problem.body(400, "validation", "Invalid request", detail,
                request.path(), Map.of("errors", errors)), null);
    }

    /** The path a client knows: body properties ({@code payload.size}) or the parameter name. */
    private static String fieldOf(ConstraintViolation<?> violation) {
        StringBuilder properties = new StringBuilder();
        String parameter = null;
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.PARAMETER) {
                parameter = node.getName();
            } else if (node.getKind() == ElementKind.PROPERTY) {
                properties.append(properties.isEmpty() ? "" : ".").append(node.getName());
            }
        }
        if (!properties.isEmpty()) {
            return properties.toString();
        }
        return parameter != null ? parameter : violation.getPropertyPath().toString();
    }

    private static String fieldPath(List<JsonMappingException.Reference> path) {
        return path.stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }
}
