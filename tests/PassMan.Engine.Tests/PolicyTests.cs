using PassMan.Model;

namespace PassMan.Tests;

public sealed class PolicyTests
{
    [Fact]
    public void A_new_vault_has_a_Default_policy_with_the_documented_settings()
    {
        using var temp = new TempFolder();
        using var vault = Vault.CreateWithKeyFile(temp.File("vault.db"));

        var policy = vault.GetPolicy("default");

        Assert.Equal("Default", policy.Name);
        Assert.Equal(20, policy.PasswordLength);
        Assert.Equal((1, 1, 1, 1), (policy.MinUpperCase, policy.MinLowerCase, policy.MinDigit, policy.MinSpecial));
        Assert.Equal(5, policy.History);
        Assert.Equal(6, policy.PinLength);
        Assert.Equal("ssh-rsa", policy.SshKeyType);
        Assert.Equal(3072, policy.RsaKeySize);
    }

    public static TheoryData<PolicySettings, string> Impossible => new()
    {
        { new PolicySettings { PasswordLength = 8, MinUpperCase = 3, MinLowerCase = 3, MinDigit = 3 }, "add up to 10" },
        { new PolicySettings { MinDigit = 1, ForbiddenCharacters = "0123456789" }, "MinDigit" },
        { new PolicySettings { MinSpecial = 2, SpecialCharacters = "!", ForbiddenCharacters = "!" }, "MinSpecial" },
        { new PolicySettings { MinUpperCase = 1, ForbiddenCharacters = Alphabet.Upper }, "MinUpperCase" },
        { new PolicySettings { RsaKeySize = 1024 }, "RsaKeySize" },
        { new PolicySettings { RsaKeySize = 16384 }, "RsaKeySize" },
        { new PolicySettings { RsaKeySize = 2049 }, "multiple of 8" },
        { new PolicySettings { PinLength = 3 }, "PinLength" },
        {
            new PolicySettings { PasswordLength = 2, MinUpperCase = 0, MinLowerCase = 0, MinDigit = 0, MinSpecial = 0 },
            "PasswordLength"
        },
        { new PolicySettings { MinLowerCase = -1 }, "negative" },
        { new PolicySettings { History = 101 }, "History" },
        { new PolicySettings { SshKeyType = "ssh-rsa1" }, "SshKeyType" },
        { new PolicySettings { SpecialCharacters = "ab" }, "SpecialCharacters" },
        { new PolicySettings { SpecialCharacters = "!\n" }, "SpecialCharacters" },
    };

    [Theory]
    [MemberData(nameof(Impossible))]
    public void NewPolicy_refuses_a_policy_that_cannot_be_met_naming_the_rule_and_stores_nothing(
        PolicySettings settings,
        string rule)
    {
        using var temp = new TempFolder();
        using var vault = Vault.CreateWithKeyFile(temp.File("vault.db"));

        var error = VaultFixtures.Fails(ErrorIds.InvalidPolicy, () => vault.NewPolicy("strict", settings));

        Assert.Contains(rule, error.Message, System.StringComparison.Ordinal);
        Assert.Equal("strict", error.Target);
        VaultFixtures.Fails(ErrorIds.PolicyNotFound, () => vault.GetPolicy("strict"));
    }

    [Fact]
    public void NewPolicy_accepts_a_tight_policy_whose_minimums_fill_the_length()
    {
        using var temp = new TempFolder();
        using var vault = Vault.CreateWithKeyFile(temp.File("vault.db"));

        var policy = vault.NewPolicy("tight", new PolicySettings { PasswordLength = 4, ForbiddenCharacters = "0O1lI" });

        Assert.Equal(4, policy.PasswordLength);
    }

    [Fact]
    public void SetPolicy_refuses_a_change_that_makes_the_policy_impossible_and_keeps_the_old_settings()
    {
        using var temp = new TempFolder();
        using var vault = Vault.CreateWithKeyFile(temp.File("vault.db"));
        vault.NewPolicy("web", new PolicySettings { PasswordLength = 16 });

        var error = VaultFixtures.Fails(
            ErrorIds.InvalidPolicy,
            () => vault.SetPolicy("web", s => s with { PasswordLength = 3 }));

        Assert.Equal("web", error.Target);
        Assert.Equal(16, vault.GetPolicy("web").PasswordLength);
    }

    [Fact]
    public void RemovePolicy_refuses_the_Default_policy_and_a_policy_in_use()
    {
        using var temp = new TempFolder();
        using var vault = Vault.CreateWithKeyFile(temp.File("vault.db"));
        vault.NewPolicy("web", new PolicySettings());
        vault.NewTarget(new TargetSpec("web01", "web01.example.test"));
        vault.NewAccount(new AccountSpec("web01", "alice", Policy: "WEB"));

        VaultFixtures.Fails(ErrorIds.PolicyInUse, () => vault.RemovePolicy("Default"));
        VaultFixtures.Fails(ErrorIds.PolicyInUse, () => vault.RemovePolicy("web"));
        Assert.Equal(1, vault.GetPolicy("web").AccountCount);

        vault.SetAccount(new AccountRef(Target: "web01", UserName: "alice"), new AccountChange(Policy: ""));
        vault.RemovePolicy("web");
        Assert.Equal("Default", vault.GetAccount(new AccountRef(Target: "web01", UserName: "alice")).Policy);
    }
}
