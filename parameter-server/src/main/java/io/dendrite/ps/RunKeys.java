package io.dendrite.ps;

import io.dendrite.core.util.Checks;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * What one training run's step connections prove themselves with: a random secret (every connection's
 * handshake is an HMAC under it, both ways) and, when the traffic is to be encrypted, a key pair with a
 * self-signed certificate made for this run alone. Encrypted connections are TLS 1.3 through the JDK's
 * {@link SSLEngine}, with both ends presenting the run's certificate and trusting nothing else: a server
 * or client without the run's private key fails the TLS handshake, before any byte of the step protocol.
 * The keys reach the executors inside the task (Spark's RPC, which {@code spark.authenticate} and
 * {@code spark.network.crypto.enabled} protect); they are never written to disk.
 */
public final class RunKeys implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final String PROTOCOL = "TLSv1.3";
    private static final String ALIAS = "dendrite-run";
    /** The run certificate's validity: any clock a cluster's machine may show. */
    static final Instant NOT_BEFORE = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant NOT_AFTER = Instant.parse("9999-12-31T23:59:59Z");

    private final byte[] secret;
    /** The run's certificate (DER) and private key (PKCS#8), or null when the traffic is not encrypted. */
    private final byte[] certificate;
    private final byte[] privateKey;
    private transient volatile SSLContext context;

    private RunKeys(byte[] secret, byte[] certificate, byte[] privateKey) {
        Checks.checkArgument(secret.length >= 16, "the run secret must hold at least 16 bytes but has %s",
                secret.length);
        this.secret = secret.clone();
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    /** A fresh secret: connections are authenticated both ways, not encrypted. */
    public static RunKeys authenticated() {
        return new RunKeys(Wire.newSecret(), null, null);
    }

    /** A fresh secret and a fresh certificate: connections are authenticated and encrypted (TLS 1.3). */
    public static RunKeys encrypted() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            X500Name name = new X500Name("CN=dendrite training run");
            // Both ends trust this one certificate and nothing else, so its dates protect nothing; they only have
            // to hold on every clock of the cluster, however far it is off: from 2000 to 9999.
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                    name, new BigInteger(64, new SecureRandom()), Date.from(NOT_BEFORE), Date.from(NOT_AFTER), name,
                    pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new RunKeys(Wire.newSecret(), cert.getEncoded(), pair.getPrivate().getEncoded());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make this run's TLS certificate: " + e.getMessage(), e);
        }
    }

    /** The run's certificate, or null when the traffic is not encrypted. */
    X509Certificate certificate() throws GeneralSecurityException {
        return certificate == null ? null : (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(certificate));
    }

    /** Whether connections are encrypted. */
    public boolean isEncrypted() {
        return certificate != null;
    }

    /** The HMAC secret (not a copy: callers only read it). */
    byte[] secret() {
        return secret;
    }

    /**
     * An engine for one connection, in client or server mode, with the TLS handshake begun; null when the
     * traffic is not encrypted. The server demands the client's certificate.
     */
    SSLEngine engine(boolean client) throws IOException {
        if (!isEncrypted()) {
            return null;
        }
        SSLEngine engine = context().createSSLEngine();
        engine.setUseClientMode(client);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(new String[] {PROTOCOL});
        p.setNeedClientAuth(!client);
        engine.setSSLParameters(p);
        engine.beginHandshake();
        return engine;
    }

    private SSLContext context() throws IOException {
        SSLContext c = context;
        if (c == null) {
            synchronized (this) {
                c = context;
                if (c == null) {
                    c = buildContext();
                    context = c;
                }
            }
        }
        return c;
    }

    /** A TLS 1.3 context whose only key is the run's and whose only trusted certificate is the run's. */
    private SSLContext buildContext() throws IOException {
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificate));
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(privateKey));
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry(ALIAS, key, password, new X509Certificate[] {cert});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry(ALIAS, cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext c = SSLContext.getInstance(PROTOCOL);
            c.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return c;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS with this run's certificate: " + e.getMessage(), e);
        }
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        Checks.checkState(secret != null && secret.length >= 16, "run keys without a secret");
        Checks.checkState((certificate == null) == (privateKey == null), "run keys with half a key pair");
    }

    @Override
    public String toString() {
        return isEncrypted() ? "run keys (HMAC secret, TLS 1.3 certificate)" : "run keys (HMAC secret)";
    }
}
