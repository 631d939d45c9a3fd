package dev.tinygpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tokenizers are documented thread-safe: 8 threads sharing one plain-Java BPE (whose piece cache
 * they fill together) encode and decode exactly what one thread does.
 */
class TokenizerConcurrencyTest {
    @Test
    void eightThreadsShareOneTokenizer() throws Exception {
        List<String> texts = new ArrayList<>(Gpt2BpeTokenizerTest.TRICKY);
        for (int i = 0; i < 200; i++) {
            texts.add("the cat " + i + " sat on the mat" + " again".repeat(i % 7) + "!");
        }
        // One thread's ids, from a tokenizer of its own (the shared one starts with an empty
        // cache).
        Gpt2BpeTokenizer reference = TokenizerFixtures.bpe();
        List<int[]> alone = texts.stream().map(reference::encode).toList();
        Tokenizer t = TokenizerFixtures.bpe();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CyclicBarrier start = new CyclicBarrier(8);
        List<Future<List<int[]>>> futures = new ArrayList<>();
        for (int thread = 0; thread < 8; thread++) {
            int offset = thread;
            futures.add(
                    pool.submit(
                            () -> {
                                start.await(30, TimeUnit.SECONDS);
                                List<int[]> ids = new ArrayList<>();
                                for (int i = 0; i < texts.size(); i++) {
                                    // each thread walks the texts from its own start
                                    int k = (i + offset * 31) % texts.size();
                                    ids.add(t.encode(texts.get(k)));
                                    assertEquals(texts.get(k), t.decode(ids.get(i)));
                                }
                                return ids;
                            }));
        }
        for (int thread = 0; thread < 8; thread++) {
            List<int[]> ids = futures.get(thread).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < texts.size(); i++) {
                int k = (i + thread * 31) % texts.size();
                assertArrayEquals(alone.get(k), ids.get(i), texts.get(k));
            }
        }
        pool.shutdown();
    }
}
