package io.dendrite.benchmarks;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.Blake3Mac;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.macs.SipHash128;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What tagging one step record costs with each message authentication code a JVM here has from a maintained
 * library: the JDK's HMAC-SHA256 (what the step records use) and AES-GMAC, and Bouncy Castle's (already on
 * the classpath, through the TLS certificate code) Poly1305-AES, SipHash-2-4-128 and keyed BLAKE3. One
 * record of 256 KiB (the most a step record carries) with a fresh sequence number each time, warm.
 * {@code java -jar benchmarks.jar RecordTagBenchmark}; the record's bytes over the time give each MAC's rate.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(1)
public class RecordTagBenchmark {
    /** The MAC. */
    @Param({"hmac-sha256", "aes-gmac", "poly1305-aes", "siphash128", "blake3"})
    public String mac;

    private final byte[] record = new byte[256 * 1024];
    private final byte[] tag = new byte[32];
    private final byte[] nonce = new byte[16];
    private long sequence;
    private Mac hmac;
    private Cipher gcm;
    private SecretKeySpec aesKey;
    private Poly1305 poly;
    private SipHash128 sip;
    private Blake3Mac blake;
    private KeyParameter key32;
    private KeyParameter key16;

    @Setup
    public void setUp() throws GeneralSecurityException {
        Random random = new Random(42);
        random.nextBytes(record);
        byte[] k = new byte[32];
        random.nextBytes(k);
        hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(k, 0, 16, "HmacSHA256"));
        gcm = Cipher.getInstance("AES/GCM/NoPadding");
        aesKey = new SecretKeySpec(k, 0, 16, "AES");
        poly = new Poly1305(AESEngine.newInstance());
        sip = new SipHash128();
        blake = new Blake3Mac(new Blake3Digest(256));
        key32 = new KeyParameter(k);
        key16 = new KeyParameter(k, 0, 16);
    }

    /** The tag of the record under the next sequence number. */
    @Benchmark
    public byte[] tagRecord() throws GeneralSecurityException {
        long s = sequence++;
        ByteBuffer.wrap(nonce).putLong(0, s);
        switch (mac) {
            case "hmac-sha256" -> {
                hmac.update(nonce, 0, 8);
                hmac.update(record);
                hmac.doFinal(tag, 0);
            }
            case "aes-gmac" -> {
                gcm.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, nonce, 0, 12));
                gcm.updateAAD(record);
                gcm.doFinal(tag, 0);
            }
            case "poly1305-aes" -> {
                poly.init(new ParametersWithIV(key32, nonce));
                poly.update(record, 0, record.length);
                poly.doFinal(tag, 0);
            }
            case "siphash128" -> {
                sip.init(key16);
                sip.update(nonce, 0, 8);
                sip.update(record, 0, record.length);
                sip.doFinal(tag, 0);
            }
            case "blake3" -> {
                blake.init(key32);
                blake.update(nonce, 0, 8);
                blake.update(record, 0, record.length);
                blake.doFinal(tag, 0);
            }
            default -> throw new IllegalArgumentException("no MAC " + mac);
        }
        return tag;
    }
}
