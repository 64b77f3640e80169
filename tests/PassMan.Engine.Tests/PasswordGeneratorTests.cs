using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using PassMan.Generation;
using PassMan.Model;

namespace PassMan.Tests;

public sealed class PasswordGeneratorTests
{
    // Upper A B, lower a b, digits 0 1, special !: seven characters, small enough to enumerate.
    private static readonly PolicySettings s_small = new()
    {
        PasswordLength = 4,
        MinUpperCase = 1,
        MinLowerCase = 1,
        MinDigit = 0,
        MinSpecial = 0,
        SpecialCharacters = "!",
        ForbiddenCharacters = "CDEFGHIJKLMNOPQRSTUVWXYZcdefghijklmnopqrstuvwxyz23456789",
    };

    [Fact]
    public void Count_equals_the_number_of_valid_strings_found_by_enumerating_them_all()
    {
        var valid = Enumerate(s_small).Count;

        Assert.Equal(valid, (int)new PasswordGenerator(s_small).Count);
    }

    [Fact]
    public void Every_password_meets_its_policy_over_thousands_of_random_policies()
    {
        var random = new Random(20261203);
        var specials = PolicySettings.DefaultSpecialCharacters;
        var checkedPolicies = 0;
        while (checkedPolicies < 2000)
        {
            var length = random.Next(4, 65);
            var everything = Alphabet.Upper + Alphabet.Lower + Alphabet.Digits + specials;
            var forbidden = new string(everything.Where(_ => random.Next(4) == 0).ToArray());
            var policy = new PolicySettings
            {
                PasswordLength = length,
                MinUpperCase = random.Next(0, 4),
                MinLowerCase = random.Next(0, 4),
                MinDigit = random.Next(0, 4),
                MinSpecial = random.Next(0, 4),
                ForbiddenCharacters = forbidden,
            };
            if (!IsValid(policy))
            {
                continue;
            }

            checkedPolicies++;
            var generator = new PasswordGenerator(policy);
            for (var i = 0; i < 5; i++)
            {
                using var password = generator.Generate();
                AssertMeets(policy, Encoding.ASCII.GetString(password.Span));
            }
        }
    }

    [Fact]
    public void Each_position_follows_the_exact_expected_distribution()
    {
        const int samples = 40_000;
        var valid = Enumerate(s_small);
        var alphabet = "ABab01!";
        var generator = new PasswordGenerator(s_small);
        var observed = new int[s_small.PasswordLength, alphabet.Length];
        for (var i = 0; i < samples; i++)
        {
            using var password = generator.Generate();
            for (var p = 0; p < s_small.PasswordLength; p++)
            {
                observed[p, alphabet.IndexOf((char)password.Span[p], StringComparison.Ordinal)]++;
            }
        }

        for (var p = 0; p < s_small.PasswordLength; p++)
        {
            var chiSquare = 0.0;
            for (var c = 0; c < alphabet.Length; c++)
            {
                var expected = samples * valid.Count(s => s[p] == alphabet[c]) / (double)valid.Count;
                chiSquare += Math.Pow(observed[p, c] - expected, 2) / expected;
            }

            // 6 degrees of freedom: 40 is beyond the one-in-a-million tail, far below any real bias.
            Assert.True(chiSquare < 40, $"position {p}: chi-square {chiSquare:F1}");
        }
    }

    [Fact]
    public void Every_valid_password_is_equally_likely()
    {
        // One character of each class (A a 0 !): few enough strings of length 4 to count each.
        var policy = s_small with { ForbiddenCharacters = s_small.ForbiddenCharacters + "Bb1" };
        var valid = Enumerate(policy);
        var samples = valid.Count * 60;
        var generator = new PasswordGenerator(policy);
        var observed = valid.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        for (var i = 0; i < samples; i++)
        {
            using var password = generator.Generate();
            observed[Encoding.ASCII.GetString(password.Span)]++;
        }

        var expected = samples / (double)valid.Count;
        var chiSquare = observed.Values.Sum(o => Math.Pow(o - expected, 2) / expected);
        var degrees = valid.Count - 1;

        // Mean = degrees, sd = sqrt(2 * degrees): six sd above is the far tail of a fair generator.
        Assert.True(chiSquare < degrees + (6 * Math.Sqrt(2.0 * degrees)), $"chi-square {chiSquare:F1}, df {degrees}");
    }

    [Fact]
    public void A_tight_policy_whose_minimums_fill_the_length_generates_one_of_each_class()
    {
        var tight = new PolicySettings { PasswordLength = 4, ForbiddenCharacters = "0O1lI" };
        var generator = new PasswordGenerator(tight);

        for (var i = 0; i < 1000; i++)
        {
            using var password = generator.Generate();
            AssertMeets(tight, Encoding.ASCII.GetString(password.Span));
        }
    }

    [Fact]
    public void The_longest_policy_generates_a_password_of_its_length()
    {
        var generator = new PasswordGenerator(new PolicySettings { PasswordLength = PolicySettings.MaxPasswordLength });

        using var password = generator.Generate();

        Assert.Equal(PolicySettings.MaxPasswordLength, password.Length);
    }

    [Fact]
    public void An_impossible_policy_fails_at_once_with_InvalidPolicy()
    {
        VaultFixtures.Fails(
            ErrorIds.InvalidPolicy,
            () => Assert.NotNull(new PasswordGenerator(new PolicySettings { PasswordLength = 4, MinDigit = 5 })));
    }

    [Fact]
    public void A_PIN_is_digits_of_its_length_uniform_at_each_position()
    {
        const int samples = 20_000;
        var observed = new int[6, 10];
        for (var i = 0; i < samples; i++)
        {
            using var pin = PasswordGenerator.GeneratePin(6);
            Assert.Equal(6, pin.Length);
            for (var p = 0; p < 6; p++)
            {
                Assert.InRange((char)pin.Span[p], '0', '9');
                observed[p, pin.Span[p] - '0']++;
            }
        }

        for (var p = 0; p < 6; p++)
        {
            const double expected = samples / 10.0;
            var chiSquare = Enumerable.Range(0, 10).Sum(d => Math.Pow(observed[p, d] - expected, 2) / expected);

            // 9 degrees of freedom: 45 is beyond the one-in-a-million tail.
            Assert.True(chiSquare < 45, $"position {p}: chi-square {chiSquare:F1}");
        }

        VaultFixtures.Fails(ErrorIds.InvalidPolicy, () => PasswordGenerator.GeneratePin(3).Dispose());
    }

    private static List<string> Enumerate(PolicySettings policy)
    {
        var alphabet = Alphabet.Usable(policy);
        var all = new List<string> { string.Empty };
        for (var i = 0; i < policy.PasswordLength; i++)
        {
            all = all.SelectMany(prefix => alphabet.Select(c => prefix + c)).ToList();
        }

        return all.Where(s => Meets(policy, s)).ToList();
    }

    private static bool IsValid(PolicySettings policy)
    {
        try
        {
            policy.Validate();
            return true;
        }
        catch (PassManException)
        {
            return false;
        }
    }

    private static void AssertMeets(PolicySettings policy, string password) =>
        Assert.True(Meets(policy, password), $"'{password}' does not meet the policy");

    private static bool Meets(PolicySettings policy, string password) =>
        password.Length == policy.PasswordLength
        && password.All(c => Alphabet.Usable(policy).Contains(c, StringComparison.Ordinal))
        && !password.Any(c => c is '\r' or '\n' or '\0')
        && password.Count(char.IsAsciiLetterUpper) >= policy.MinUpperCase
        && password.Count(char.IsAsciiLetterLower) >= policy.MinLowerCase
        && password.Count(char.IsAsciiDigit) >= policy.MinDigit
        && password.Count(c => policy.SpecialCharacters.Contains(c, StringComparison.Ordinal)) >= policy.MinSpecial;
}
