/**
 * The Ed25519 verifier that GET /install.ps1 compiles with `Add-Type` on the client machine, so
 * a first install checks the signature of the downloaded executable before anything runs.
 * Windows PowerShell 5.1 (.NET Framework 4.x) and PowerShell 7 (.NET) have no Ed25519, and a
 * stock Windows has no openssl; a downloaded binary checking itself would prove nothing.
 *
 * This string is the one source: install-ps1.ts writes it into the script unchanged, and
 * tests/agent/install-ps1-ed25519.test.ts compiles exactly it with Mono's `mcs -langversion:5`
 * (the language level of the compiler .NET Framework's Add-Type runs) and checks it against
 * node:crypto signatures and the RFC 8032 §7.1 vectors. Windows itself is not available here.
 *
 * Verify only, RFC 8032 §5.1.7, written for reading, not speed: System.Numerics.BigInteger field
 * arithmetic mod p = 2^255 - 19, extended coordinates with the complete addition formula of
 * §5.1.4, double-and-add. Point decoding (§5.1.3) refuses y ≥ p, a non-square x² and x = 0 with
 * the sign bit set; S ≥ L is refused (no malleable signatures); then [S]B and R + [k]A are
 * compared by their encodings, k = SHA-512(R ‖ A ‖ M) mod L. Not constant-time, which verifying
 * public data does not need.
 *
 * C# 5 only (.NET Framework's compiler): no `$"…"`, `?.`, `=>` members, tuples, `nameof` or local
 * functions. No backslash, backtick or dollar sign either, so the text stays the same inside a
 * TypeScript template and a PowerShell single-quoted here-string (checked by the test).
 *
 * `VerifyArtifact` builds the same message as artifactSigningMessage (shared/node/signing-message.ts):
 *   "quarkpulse/agent-artifact/v1" LF version LF platform LF lowercase sha256 (UTF-8).
 */
export const ED25519_VERIFY_TYPE = 'QuarkpulseEd25519';

export const ED25519_VERIFY_CSHARP = `using System;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

// Ed25519 signature verification (RFC 8032 section 5.1.7), verify only.
public static class QuarkpulseEd25519
{
    static readonly BigInteger P;      // the field prime 2^255 - 19
    static readonly BigInteger L;      // the group order 2^252 + 27742317777372353535851937790883648493
    static readonly BigInteger D;      // the curve constant -121665/121666
    static readonly BigInteger SqrtM1; // a square root of -1
    static readonly BigInteger[] B;    // the base point, extended coordinates (X, Y, Z, T)

    static QuarkpulseEd25519()
    {
        P = BigInteger.Pow(2, 255) - 19;
        L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");
        D = Mod(-121665 * Inv(121666));
        SqrtM1 = BigInteger.ModPow(2, (P - 1) / 4, P);
        BigInteger by = Mod(4 * Inv(5));
        BigInteger bx = RecoverX(by, 0);
        B = new BigInteger[] { bx, by, BigInteger.One, Mod(bx * by) };
    }

    static BigInteger Mod(BigInteger a)
    {
        BigInteger r = BigInteger.Remainder(a, P);
        return r.Sign < 0 ? r + P : r;
    }

    static BigInteger Inv(BigInteger a)
    {
        return BigInteger.ModPow(Mod(a), P - 2, P);
    }

    // x from y and the sign bit of x (section 5.1.3), or -1 when there is none.
    static BigInteger RecoverX(BigInteger y, int sign)
    {
        if (y >= P) return BigInteger.MinusOne;
        BigInteger x2 = Mod((y * y - 1) * Inv(D * y * y + 1));
        if (x2.IsZero)
        {
            if (sign != 0) return BigInteger.MinusOne;
            return BigInteger.Zero;
        }
        BigInteger x = BigInteger.ModPow(x2, (P + 3) / 8, P);
        if (!Mod(x * x - x2).IsZero) x = Mod(x * SqrtM1);
        if (!Mod(x * x - x2).IsZero) return BigInteger.MinusOne;
        if ((x.IsEven ? 0 : 1) != sign) x = P - x;
        return x;
    }

    // Little-endian unsigned integer of len bytes at off.
    static BigInteger FromLittleEndian(byte[] bytes, int off, int len)
    {
        byte[] t = new byte[len + 1]; // the extra zero byte keeps it positive
        Array.Copy(bytes, off, t, 0, len);
        return new BigInteger(t);
    }

    // The point encoded in 32 bytes at off, or null when the bytes encode none (section 5.1.3).
    static BigInteger[] Decode(byte[] bytes, int off)
    {
        byte[] t = new byte[32];
        Array.Copy(bytes, off, t, 0, 32);
        int sign = t[31] >> 7;
        t[31] = (byte)(t[31] & 0x7f);
        BigInteger y = FromLittleEndian(t, 0, 32);
        BigInteger x = RecoverX(y, sign);
        if (x.Sign < 0) return null;
        return new BigInteger[] { x, y, BigInteger.One, Mod(x * y) };
    }

    static byte[] Encode(BigInteger[] pt)
    {
        BigInteger zi = Inv(pt[2]);
        BigInteger x = Mod(pt[0] * zi);
        BigInteger y = Mod(pt[1] * zi);
        byte[] le = y.ToByteArray(); // y < 2^255: at most 32 bytes
        byte[] out32 = new byte[32];
        Array.Copy(le, out32, Math.Min(le.Length, 32));
        if (!x.IsEven) out32[31] = (byte)(out32[31] | 0x80);
        return out32;
    }

    // Point addition on the twisted Edwards curve, extended coordinates (section 5.1.4); also doubles.
    static BigInteger[] Add(BigInteger[] p1, BigInteger[] p2)
    {
        BigInteger a = Mod((p1[1] - p1[0]) * (p2[1] - p2[0]));
        BigInteger b = Mod((p1[1] + p1[0]) * (p2[1] + p2[0]));
        BigInteger c = Mod(p1[3] * 2 * D * p2[3]);
        BigInteger d = Mod(p1[2] * 2 * p2[2]);
        BigInteger e = b - a;
        BigInteger f = d - c;
        BigInteger g = d + c;
        BigInteger h = b + a;
        return new BigInteger[] { Mod(e * f), Mod(g * h), Mod(f * g), Mod(e * h) };
    }

    // [k]pt by double-and-add.
    static BigInteger[] Multiply(BigInteger k, BigInteger[] pt)
    {
        BigInteger[] q = new BigInteger[] { BigInteger.Zero, BigInteger.One, BigInteger.One, BigInteger.Zero };
        BigInteger[] a = pt;
        while (k.Sign > 0)
        {
            if (!k.IsEven) q = Add(q, a);
            a = Add(a, a);
            k = k >> 1;
        }
        return q;
    }

    // True when the 32 bytes are the canonical encoding of a curve point (section 5.1.3).
    public static bool DecodesToPoint(byte[] encoded)
    {
        return encoded != null && encoded.Length == 32 && Decode(encoded, 0) != null;
    }

    // True when signature (64 bytes) is a valid Ed25519 signature of message by publicKey (32 bytes).
    public static bool Verify(byte[] publicKey, byte[] message, byte[] signature)
    {
        if (publicKey == null || message == null || signature == null) return false;
        if (publicKey.Length != 32 || signature.Length != 64) return false;
        BigInteger[] a = Decode(publicKey, 0);
        if (a == null) return false;
        BigInteger[] r = Decode(signature, 0);
        if (r == null) return false;
        BigInteger s = FromLittleEndian(signature, 32, 32);
        if (s >= L) return false;
        byte[] input = new byte[64 + message.Length];
        Array.Copy(signature, 0, input, 0, 32);
        Array.Copy(publicKey, 0, input, 32, 32);
        Array.Copy(message, 0, input, 64, message.Length);
        byte[] h;
        using (SHA512 sha = SHA512.Create())
        {
            h = sha.ComputeHash(input);
        }
        BigInteger k = BigInteger.Remainder(FromLittleEndian(h, 0, 64), L);
        byte[] left = Encode(Multiply(s, B));
        byte[] right = Encode(Add(r, Multiply(k, a)));
        for (int i = 0; i < 32; i++)
        {
            if (left[i] != right[i]) return false;
        }
        return true;
    }

    // The signature of an agent executable: the server signs "quarkpulse/agent-artifact/v1" LF
    // version LF platform LF sha256 (lowercase hex), UTF-8. Keys and signatures are base64.
    public static bool VerifyArtifact(string publicKeyBase64, string version, string platform, string sha256Hex, string signatureBase64)
    {
        if (publicKeyBase64 == null || version == null || platform == null || sha256Hex == null || signatureBase64 == null) return false;
        string lf = new string((char)10, 1);
        if (version.Contains(lf) || platform.Contains(lf) || sha256Hex.Contains(lf)) return false;
        byte[] key;
        byte[] sig;
        try
        {
            key = Convert.FromBase64String(publicKeyBase64);
            sig = Convert.FromBase64String(signatureBase64);
        }
        catch (FormatException)
        {
            return false;
        }
        string text = "quarkpulse/agent-artifact/v1" + lf + version + lf + platform + lf + sha256Hex.ToLowerInvariant();
        return Verify(key, Encoding.UTF8.GetBytes(text), sig);
    }
}
`;
