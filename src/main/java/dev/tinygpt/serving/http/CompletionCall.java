package dev.tinygpt.serving.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tinygpt.serving.Job;
import dev.tinygpt.serving.Scheduler;
import dev.tinygpt.serving.TokenLogprob;
import dev.tinygpt.serving.http.JobEvents.Event;
import dev.tinygpt.serving.http.JobEvents.Failure;
import dev.tinygpt.serving.http.JobEvents.Finish;
import dev.tinygpt.serving.http.JobEvents.Prompt;
import dev.tinygpt.serving.http.JobEvents.Sample;
import dev.tinygpt.serving.http.JobEvents.Token;
import dev.tinygpt.serving.http.ResponseShape.ChoiceState;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One completion request from submission to the last byte: it queues the job, then turns the
 * scheduler's events into OpenAI's JSON, whole or as server-sent events ({@code data: {…}} chunks
 * ending with {@code data: [DONE]}). A streaming client that goes away cancels the job, which frees
 * its rows at the next step; an idle stream (waiting in the queue) sends an SSE comment every
 * {@value #PING_MILLIS} ms so a departed client is noticed there too.
 */
final class CompletionCall {
    static final long PING_MILLIS = 2000;
    static final long PROBE_MILLIS = 50;

    private final Context ctx;
    private final Scheduler scheduler;
    private final ServerMetrics metrics;
    private final CompletionRequest request;
    private final ResponseShape shape;
    private final long start = System.nanoTime();
    private final List<ChoiceState> choices = new ArrayList<>();
    private final long[] lastToken;
    private boolean firstToken = true;
    private int unfinished;
    private long completionTokens;

    CompletionCall(
            Context ctx,
            Scheduler scheduler,
            ServerMetrics metrics,
            CompletionRequest request,
            ResponseShape shape) {
        this.ctx = ctx;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.request = request;
        this.shape = shape;
        this.unfinished = request.prompts().size() * request.settings().n();
        this.lastToken = new long[unfinished];
        for (int i = 0; i < unfinished; i++) {
            choices.add(new ChoiceState());
        }
    }

    /** Queues the job and answers; a refusal (400, 429, 503) propagates before any byte. */
    void run() throws IOException, InterruptedException {
        JobEvents events = new JobEvents();
        Job job = new Job(request.prompts(), request.settings(), events);
        scheduler.submit(job);
        metrics.promptTokens(promptTokens());
        boolean done = false;
        try {
            done = request.stream() ? stream(events) : whole(events);
        } finally {
            if (!done) {
                scheduler.cancel(job); // the client left, or this thread failed
            }
            metrics.completionTokens(completionTokens);
            metrics.duration(System.nanoTime() - start);
        }
    }

    private long promptTokens() {
        long n = 0;
        for (int[] prompt : request.prompts()) {
            n += prompt.length;
        }
        return n;
    }

    /**
     * Collects every choice, then answers with one JSON object; false when the client went away
     * first (looked for every {@value #PROBE_MILLIS} ms).
     */
    private boolean whole(JobEvents events) throws InterruptedException {
        ClientProbe probe = ClientProbe.of(ctx);
        long nextProbe = System.nanoTime() + PROBE_MILLIS * 1_000_000;
        while (unfinished > 0) {
            Event e = events.next(PROBE_MILLIS);
            if (e instanceof Failure f) {
                throw failure(f);
            }
            if (e != null) {
                apply(e);
            }
            if (System.nanoTime() >= nextProbe) {
                if (probe.clientGone()) {
                    return false;
                }
                nextProbe = System.nanoTime() + PROBE_MILLIS * 1_000_000;
            }
        }
        JsonObject body = shape.response(choices, request.settings().wantsLogprobs(), usage());
        ctx.status(200).contentType("application/json").result(body.toString());
        return true;
    }

    /** Sends each event as it comes; false when the client went away. */
    private boolean stream(JobEvents events) throws InterruptedException {
        ctx.status(200);
        ctx.contentType("text/event-stream; charset=utf-8");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Accel-Buffering", "no"); // nginx: pass each event on at once
        try {
            OutputStream out = ctx.res().getOutputStream();
            out.flush(); // the headers: the client knows it was accepted
            while (unfinished > 0) {
                Event e = events.next(PING_MILLIS);
                if (e == null) {
                    write(out, ": waiting\n\n");
                } else if (e instanceof Failure f) {
                    JsonObject error = failure(f).body();
                    write(out, "data: " + error + "\n\ndata: [DONE]\n\n");
                    return true;
                } else {
                    JsonObject chunk = apply(e);
                    if (chunk != null) {
                        write(out, "data: " + chunk + "\n\n");
                    }
                }
            }
            if (request.includeUsage()) {
                write(out, "data: " + shape.usageChunk(usage()) + "\n\n");
            }
            write(out, "data: [DONE]\n\n");
            return true;
        } catch (IOException e) {
            return false; // the client closed the connection
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Records an event in its choice; returns its stream chunk, or null when it has none. */
    private JsonObject apply(Event e) {
        boolean usage = request.includeUsage();
        if (e instanceof Sample s) {
            timeToken(s.choice(), s.nanos());
            return null;
        }
        if (e instanceof Prompt p) {
            ChoiceState c = choices.get(p.choice());
            JsonArray entries = entries(p.logprobs());
            c.text.append(p.text());
            addAll(c, entries);
            return shape.chunk(c, p.choice(), p.text(), entries, null, usage);
        }
        if (e instanceof Token t) {
            ChoiceState c = choices.get(t.choice());
            c.text.append(t.text());
            JsonArray entries = t.logprob() == null ? null : entries(List.of(t.logprob()));
            addAll(c, entries);
            boolean empty = t.text().isEmpty() && entries == null;
            return empty ? null : shape.chunk(c, t.choice(), t.text(), entries, null, usage);
        }
        Finish f = (Finish) e;
        ChoiceState c = choices.get(f.choice());
        c.text.append(f.text());
        c.finishReason = ResponseShape.finishReason(f.reason());
        c.tokens = f.tokens();
        completionTokens += f.tokens();
        unfinished--;
        return shape.chunk(c, f.choice(), f.text(), null, c.finishReason, usage);
    }

    private void timeToken(int choice, long nanos) {
        if (firstToken) {
            metrics.firstToken(nanos - start);
            firstToken = false;
        }
        if (lastToken[choice] != 0) {
            metrics.interToken(nanos - lastToken[choice]);
        }
        lastToken[choice] = nanos;
    }

    private JsonArray entries(List<TokenLogprob> logprobs) {
        if (logprobs == null) {
            return null;
        }
        JsonArray a = new JsonArray();
        for (TokenLogprob t : logprobs) {
            a.add(shape.entry(t));
        }
        return a;
    }

    private static void addAll(ChoiceState c, JsonArray entries) {
        if (entries != null) {
            c.logprobs.addAll(entries);
        }
    }

    private JsonObject usage() {
        return ResponseShape.usage(promptTokens(), completionTokens);
    }

    private static ApiError failure(Failure f) {
        return f.message().contains("shutting down")
                ? ApiError.unavailable(f.message())
                : new ApiError(500, "server_error", null, null, f.message());
    }
}
