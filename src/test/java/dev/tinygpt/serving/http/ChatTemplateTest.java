package dev.tinygpt.serving.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hugging Face chat templates read from tokenizer_config.json and rendered as Jinja2 does. */
class ChatTemplateTest {
    @TempDir Path dir;

    private static final JsonArray MESSAGES =
            JsonParser.parseString(
                            "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                                    + "{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                                    + "\"text\":\"Hi\"},{\"type\":\"text\",\"text\":\"!\"}]}]")
                    .getAsJsonArray();

    @Test
    void rendersAsTransformersDoesWithTrimAndLstripBlocks() {
        // A ChatML-style template, indented as templates in the wild are. Jinja2 with
        // trim_blocks and lstrip_blocks (transformers' settings) renders exactly this (Python
        // jinja2 3.1.6 gave this string for this template and these messages):
        String template =
                "{{ bos_token }}{% for message in messages %}\n"
                        + "    {% if loop.first %}[first]{% endif %}\n"
                        + "<|im_start|>{{ message['role'] }} {{ message['content'] }}<|im_end|>\n"
                        + "{% endfor %}\n"
                        + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
        ChatTemplate t = new ChatTemplate(template, "<s>", "</s>");
        assertEquals(
                "<s>[first]<|im_start|>system Be brief.<|im_end|>\n"
                        + "<|im_start|>user Hi!<|im_end|>\n"
                        + "<|im_start|>assistant\n",
                t.render(MESSAGES));
    }

    @Test
    void realTemplatesRenderAsJinja2RendersThem() throws Exception {
        // ChatML, Llama 2 (with .strip(), set, loop.index0 and raise_exception), Zephyr,
        // Mistral, namespace() and loop filters, each with the text Python's jinja2 gave for the
        // same messages.
        JsonObject file;
        try (var in = getClass().getResourceAsStream("chat-templates.json")) {
            file =
                    JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                            .getAsJsonObject();
        }
        JsonArray conversation =
                JsonParser.parseString(
                                "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                                        + "{\"role\":\"user\",\"content\":\" Hi there \"},"
                                        + "{\"role\":\"assistant\",\"content\":\"Hello.\"},"
                                        + "{\"role\":\"user\",\"content\":\"Tell me a joke.\"}]")
                        .getAsJsonArray();
        JsonArray withoutSystem = conversation.deepCopy();
        withoutSystem.remove(0);
        for (JsonElement e : file.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            ChatTemplate t = new ChatTemplate(c.get("template").getAsString(), "<s>", "</s>");
            JsonArray messages = c.get("system").getAsBoolean() ? conversation : withoutSystem;
            assertEquals(
                    c.get("expected").getAsString(),
                    t.render(messages),
                    c.get("name").getAsString());
        }
        ApiError alternate =
                assertThrows(
                        ApiError.class,
                        () ->
                                new ChatTemplate(
                                                file.getAsJsonArray("cases")
                                                        .get(3)
                                                        .getAsJsonObject()
                                                        .get("template")
                                                        .getAsString(),
                                                "<s>",
                                                "</s>")
                                        .render(conversation));
        assertTrue(
                alternate
                        .getMessage()
                        .endsWith(
                                "Conversation roles must alternate user/assistant/user/assistant/..."),
                alternate.getMessage());
    }

    @Test
    void readsTheTemplateInEachOfItsForms() throws Exception {
        assertTrue(ChatTemplate.read(dir).isEmpty(), "no tokenizer_config.json");
        write("{\"eos_token\":\"</s>\"}");
        assertTrue(ChatTemplate.read(dir).isEmpty(), "no chat_template");
        write(
                "{\"bos_token\":{\"content\":\"<s>\",\"lstrip\":false},\"chat_template\":"
                        + "\"{{ bos_token }}{{ messages[0]['content'] }}{{ eos_token }}\","
                        + "\"eos_token\":\"</s>\"}");
        assertEquals("<s>Be brief.</s>", ChatTemplate.read(dir).orElseThrow().render(MESSAGES));
        write(
                "{\"chat_template\":[{\"name\":\"tool_use\",\"template\":\"tools\"},"
                        + "{\"name\":\"default\",\"template\":\"{{ messages|length }}\"}]}");
        assertEquals("2", ChatTemplate.read(dir).orElseThrow().render(MESSAGES));
        write("[1]");
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.read(dir));
    }

    @Test
    void badMessagesAndRaisedExceptionsAre400s() {
        ChatTemplate t = new ChatTemplate("{{ raise_exception('roles must alternate') }}", "", "");
        ApiError e = assertThrows(ApiError.class, () -> t.render(MESSAGES));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().endsWith("roles must alternate"), e.getMessage());
        ChatTemplate plain = new ChatTemplate("{{ messages[0]['content'] }}", "", "");
        for (String bad :
                new String[] {
                    "[1]",
                    "[{\"content\":\"x\"}]",
                    "[{\"role\":\"user\",\"content\":3}]",
                    "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]"
                }) {
            ApiError b =
                    assertThrows(
                            ApiError.class,
                            () -> plain.render(JsonParser.parseString(bad).getAsJsonArray()));
            assertEquals(400, b.status(), bad);
            assertTrue(b.getMessage().contains("messages[0]"), b.getMessage());
        }
    }

    private void write(String json) throws Exception {
        Files.writeString(dir.resolve(ChatTemplate.FILE_NAME), json);
    }
}
