using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Security.Cryptography;
using PassMan.Crypto;
using PassMan.Model;

namespace PassMan.Generation;

/// <summary>
/// Generates passwords drawn uniformly from every string that meets a policy, and PINs drawn
/// uniformly from every string of digits of the policy's length.
/// </summary>
/// <remarks>
/// Uniform by counting, not by rejecting whole candidates: the number of valid passwords with
/// exactly k characters of each class is the multinomial coefficient times the class sizes to
/// their counts. The class counts are drawn with those weights, then a uniformly random
/// arrangement of the classes over the positions, then a uniform character for each position. Each
/// valid password has one set of class counts, so each comes out with the same probability, and no
/// candidate is ever thrown away, however tight the policy. Every random choice comes from the
/// system's cryptographic generator, without modulo bias.
/// </remarks>
public sealed class PasswordGenerator
{
    private readonly string[] _classes;
    private readonly int[] _minimums;
    private readonly int _length;

    // _ways[i][m]: how many strings of length m use only classes i.. and meet their minimums.
    private readonly BigInteger[][] _ways;

    // _binomial[n][k] and _powers[i][k], computed once per policy.
    private readonly BigInteger[][] _binomial;
    private readonly BigInteger[][] _powers;

    /// <summary>Prepares a generator for <paramref name="policy"/>, which must be valid.</summary>
    public PasswordGenerator(PolicySettings policy)
    {
        policy.Validate();
        _length = policy.PasswordLength;
        string Usable(string characters) => new(characters
            .Distinct()
            .Where(c => !policy.ForbiddenCharacters.Contains(c, StringComparison.Ordinal))
            .ToArray());

        var classes = new List<(string Characters, int Minimum)>
        {
            (Usable(Alphabet.Upper), policy.MinUpperCase),
            (Usable(Alphabet.Lower), policy.MinLowerCase),
            (Usable(Alphabet.Digits), policy.MinDigit),
            (Usable(policy.SpecialCharacters), policy.MinSpecial),
        };

        // An empty class with no minimum cannot contribute a character; it is left out.
        classes.RemoveAll(c => c.Characters.Length == 0);
        _classes = classes.Select(c => c.Characters).ToArray();
        _minimums = classes.Select(c => c.Minimum).ToArray();
        _binomial = PascalTriangle(_length);
        _powers = _classes.Select(c => Powers(c.Length, _length)).ToArray();
        _ways = CountWays();
    }

    /// <summary>How many different passwords the policy allows.</summary>
    public BigInteger Count => _ways[0][_length];

    /// <summary>Generates one password as ASCII bytes; the caller disposes the buffer, which clears it.</summary>
    public SecretBuffer Generate()
    {
        using var random = new RandomPool();

        // 1. How many characters of each class, weighted by how many passwords have those counts.
        var counts = new int[_classes.Length];
        var remaining = _length;
        for (var i = 0; i < _classes.Length - 1; i++)
        {
            var pick = UniformBelow(_ways[i][remaining], random);
            for (var k = _minimums[i]; k <= remaining; k++)
            {
                var weight = _binomial[remaining][k] * _powers[i][k] * _ways[i + 1][remaining - k];
                if (pick < weight)
                {
                    counts[i] = k;
                    break;
                }

                pick -= weight;
            }

            remaining -= counts[i];
        }

        counts[^1] = remaining;

        // 2. A uniformly random arrangement of those classes over the positions.
        var layout = new int[_length];
        var position = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            for (var k = 0; k < counts[i]; k++)
            {
                layout[position++] = i;
            }
        }

        for (var i = layout.Length - 1; i > 0; i--)
        {
            var j = random.Below(i + 1);
            (layout[i], layout[j]) = (layout[j], layout[i]);
        }

        // 3. A uniform character of its class at each position.
        var password = new SecretBuffer(_length);
        for (var i = 0; i < _length; i++)
        {
            var characters = _classes[layout[i]];
            password.Span[i] = (byte)characters[random.Below(characters.Length)];
        }

        Array.Clear(layout);
        return password;
    }

    /// <summary>Generates a PIN of <paramref name="length"/> uniform digits, as ASCII bytes.</summary>
    public static SecretBuffer GeneratePin(int length)
    {
        if (length is < PolicySettings.MinPinLength or > PolicySettings.MaxPinLength)
        {
            throw new PassManException(
                ErrorIds.InvalidPolicy,
                PassManErrorKind.InvalidArgument,
                $"The policy cannot be met: PinLength must be {PolicySettings.MinPinLength} to "
                    + $"{PolicySettings.MaxPinLength}; it is {length}.");
        }

        var pin = new SecretBuffer(length);
        using var random = new RandomPool();
        for (var i = 0; i < length; i++)
        {
            pin.Span[i] = (byte)('0' + random.Below(10));
        }

        return pin;
    }

    private BigInteger[][] CountWays()
    {
        var classCount = _classes.Length;
        var ways = new BigInteger[classCount + 1][];
        ways[classCount] = new BigInteger[_length + 1];
        ways[classCount][0] = BigInteger.One;
        for (var i = classCount - 1; i >= 0; i--)
        {
            ways[i] = new BigInteger[_length + 1];
            for (var m = 0; m <= _length; m++)
            {
                var total = BigInteger.Zero;
                for (var k = _minimums[i]; k <= m; k++)
                {
                    if (!ways[i + 1][m - k].IsZero)
                    {
                        total += _binomial[m][k] * _powers[i][k] * ways[i + 1][m - k];
                    }
                }

                ways[i][m] = total;
            }
        }

        if (ways[0][_length].IsZero)
        {
            throw new PassManException(
                ErrorIds.InvalidPolicy,
                PassManErrorKind.InvalidArgument,
                "The policy cannot be met: no password of its length satisfies every minimum.");
        }

        return ways;
    }

    private static BigInteger[][] PascalTriangle(int size)
    {
        var rows = new BigInteger[size + 1][];
        for (var n = 0; n <= size; n++)
        {
            rows[n] = new BigInteger[n + 1];
            rows[n][0] = rows[n][n] = BigInteger.One;
            for (var k = 1; k < n; k++)
            {
                rows[n][k] = rows[n - 1][k - 1] + rows[n - 1][k];
            }
        }

        return rows;
    }

    private static BigInteger[] Powers(int value, int maxExponent)
    {
        var powers = new BigInteger[maxExponent + 1];
        powers[0] = BigInteger.One;
        for (var k = 1; k <= maxExponent; k++)
        {
            powers[k] = powers[k - 1] * value;
        }

        return powers;
    }

    /// <summary>A uniform integer in [0, bound), by rejection on random bits: no modulo bias.</summary>
    private static BigInteger UniformBelow(BigInteger bound, RandomPool random)
    {
        var bytes = bound.GetByteCount(isUnsigned: true);
        var topBits = (int)(bound.GetBitLength() - ((long)(bytes - 1) * 8));
        var buffer = new byte[bytes];
        while (true)
        {
            random.Fill(buffer);

            // Little-endian: the last byte is the most significant; mask it to the bound's bit length.
            buffer[^1] &= (byte)((1 << topBits) - 1);
            var candidate = new BigInteger(buffer, isUnsigned: true, isBigEndian: false);
            if (candidate < bound)
            {
                CryptographicOperations.ZeroMemory(buffer);
                return candidate;
            }
        }
    }

    /// <summary>
    /// Random bytes from the system's cryptographic generator, fetched a block at a time: a
    /// password takes one draw per character and two per position of its layout, and asking the
    /// system for each few bytes apart cost more than all the counting. The block is cleared when
    /// disposed and every byte is used once, so the draws are as independent as separate calls.
    /// </summary>
    private sealed class RandomPool : IDisposable
    {
        private readonly byte[] _block = new byte[256];
        private int _next;

        public RandomPool()
        {
            RandomNumberGenerator.Fill(_block);
        }

        /// <summary>A uniform integer in [0, bound), by rejection on masked bits as GetInt32 does.</summary>
        public int Below(int bound)
        {
            if (bound <= 1)
            {
                return 0;
            }

            var mask = uint.MaxValue >> BitOperations.LeadingZeroCount((uint)(bound - 1));
            Span<byte> bytes = stackalloc byte[sizeof(uint)];
            while (true)
            {
                Fill(bytes);
                var candidate = BinaryPrimitives.ReadUInt32LittleEndian(bytes) & mask;
                bytes.Clear();
                if (candidate < (uint)bound)
                {
                    return (int)candidate;
                }
            }
        }

        public void Fill(Span<byte> destination)
        {
            while (destination.Length > 0)
            {
                if (_next == _block.Length)
                {
                    RandomNumberGenerator.Fill(_block);
                    _next = 0;
                }

                var take = Math.Min(destination.Length, _block.Length - _next);
                var source = _block.AsSpan(_next, take);
                source.CopyTo(destination);
                source.Clear();
                _next += take;
                destination = destination[take..];
            }
        }

        public void Dispose() => CryptographicOperations.ZeroMemory(_block);
    }
}
