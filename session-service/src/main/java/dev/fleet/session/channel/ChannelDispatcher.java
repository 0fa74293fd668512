package dev.fleet.session.channel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.operation.OperationRequests;
import dev.fleet.session.operation.OperationService;
import dev.fleet.session.operation.OperationView;
import dev.fleet.session.runner.HeartbeatRequest;
import dev.fleet.session.runner.RunnerCaller;
import dev.fleet.session.runner.RunnerService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Turns a runner's channel message into the service call its REST twin makes — progress,
 * complete, fail, heartbeat — validated the same way, so the two paths cannot drift apart:
 * the operation's state machine, the runner-token check and the answers are those of
 * {@link OperationService} and {@link RunnerService}.
 */
@Singleton
public class ChannelDispatcher {

    private final OperationService operations;
    private final RunnerService runners;
    private final ObjectMapper json;
    private final Validator validator;
    private final int maxOpen;

    ChannelDispatcher(OperationService operations, RunnerService runners, ObjectMapper json, Validator validator,
            SessionConfig config) {
        this.operations = operations;
        this.runners = runners;
        this.json = json;
        this.validator = validator;
        this.maxOpen = config.operations().maxPerQuery();
    }

    /** The answer body of a runner message; fails with a {@code ProblemException} as REST would answer. */
    Uni<Object> handle(String type, JsonObject message, UUID runner, RunnerCaller caller) {
        return Uni.createFrom().deferred(() -> switch (type == null ? "" : type) {
            case "progress" -> {
                OperationRequests.Progress progress = convert(message, OperationRequests.Progress.class);
                yield operations.reportProgress(operation(message), caller, progress.progress(), progress.metadata())
                        .map(view -> (Object) view);
            }
            case "complete" -> operations.completeOperation(operation(message), caller, plain(message.getValue("result")))
                    .map(view -> (Object) view);
            case "fail" -> {
                OperationRequests.Fail fail = convert(message, OperationRequests.Fail.class);
                yield operations.failOperation(operation(message), caller, fail.error()).map(view -> (Object) view);
            }
            case "heartbeat" -> {
                JsonObject load = message.getValue("load") instanceof JsonObject given ? given : new JsonObject();
                yield runners.heartbeat(runner, caller, convert(load, HeartbeatRequest.class)).map(reply -> (Object) reply);
            }
            default -> throw type == null ? ChannelProblems.malformed("type", "A message names its type.")
                    : ChannelProblems.unknownType(type);
        });
    }

    /** The runner's open operations, oldest first (what a channel pushes). */
    Uni<List<OperationView>> openOperations(UUID runner) {
        return operations.listOperations(null, runner, false, null, null, maxOpen).map(List::reversed);
    }

    String encode(Object message) {
        try {
            return json.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a channel message did not encode", e);
        }
    }

    static UUID uuid(JsonObject message, String field) {
        try {
            return message.getValue(field) instanceof String id ? UUID.fromString(id) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static UUID operation(JsonObject message) {
        UUID id = uuid(message, "operation");
        if (id == null) {
            throw ChannelProblems.malformed("operation", "The message names its operation by id (a UUID).");
        }
        return id;
    }

    private <T> T convert(JsonObject message, Class<T> type) {
        T value;
        try {
            value = json.convertValue(message.getMap(), type);
        } catch (IllegalArgumentException e) {
            throw ChannelProblems.malformed(null, "The message's fields do not fit " + type.getSimpleName() + ": "
                    + e.getMessage());
        }
        Set<ConstraintViolation<T>> violations = validator.validate(value);
        if (!violations.isEmpty()) {
            List<Map<String, String>> errors = violations.stream()
                    .map(v -> Map.of("field", v.getPropertyPath().toString(), "message", v.getMessage()))
                    .sorted((a, b) -> a.get("field").compareTo(b.get("field"))).toList();
            throw new ProblemException(400, "validation", "Invalid request",
                    errors.stream().map(e -> e.get("field") + " " + e.get("message")).collect(Collectors.joining("; ")))
                    .with("errors", errors);
        }
        return value;
    }

    /** A JSON value as the service layer takes it from a REST body (maps and lists, not Vert.x types). */
    private static Object plain(Object value) {
        if (value instanceof JsonObject object) {
            return object.getMap();
        }
        if (value instanceof JsonArray array) {
            return new ArrayList<>(array.getList());
        }
        return value;
    }
}
