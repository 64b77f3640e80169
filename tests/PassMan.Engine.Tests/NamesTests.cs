using System.Linq;
using PassMan.Model;

namespace PassMan.Tests;

public sealed class NamesTests
{
    [Theory]
    [InlineData("WEB01", "web01")]
    [InlineData("Ärger", "äRGER")]
    [InlineData("ΣΊΣΥΦΟΣ", "σίσυφος")]
    [InlineData("σίσυφος", "σίσυφοσ")]
    [InlineData("\u212Aelvin", "kelvin")]
    [InlineData("\uFB01le", "file")]
    [InlineData("ÉCOLE", "e\u0301cole")]
    public void Fold_gives_names_that_differ_only_in_case_or_form_the_same_key(string left, string right)
    {
        Assert.Equal(Names.Fold(left), Names.Fold(right));
    }

    [Theory]
    [InlineData("web01", "web02")]
    [InlineData("alice", "alice2")]
    [InlineData("o'brien", "obrien")]
    public void Fold_keeps_different_names_apart(string left, string right)
    {
        Assert.NotEqual(Names.Fold(left), Names.Fold(right));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\0name")]
    [InlineData("bad\rname")]
    [InlineData("bad\nname")]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    public void Require_refuses_empty_names_control_characters_and_outer_white_space(string name)
    {
        VaultFixtures.Fails(ErrorIds.InvalidName, () => Names.Require(name, "target"));
    }

    [Fact]
    public void Require_refuses_a_name_of_ten_thousand_characters_with_a_readable_message()
    {
        var error = VaultFixtures.Fails(ErrorIds.InvalidName, () => Names.Require(new string('a', 10_000), "target"));

        Assert.Contains("10000", error.Message, System.StringComparison.Ordinal);
        Assert.True(error.Message.Length < 200);
    }

    [Theory]
    [InlineData("o'brien; DROP TABLE accounts; --")]
    [InlineData("\"quoted\"")]
    [InlineData("ユーザー")]
    [InlineData("name with spaces")]
    public void Require_accepts_quotes_semicolons_and_unicode_as_plain_characters(string name)
    {
        Assert.Equal(name, Names.Require(name, "user"));
    }

    [Theory]
    [InlineData("web*", "WEB01", true)]
    [InlineData("web*", "db01", false)]
    [InlineData("w?b01", "WAB01", true)]
    [InlineData("web[0-1]1", "web11", true)]
    [InlineData("web[0-1]1", "web21", false)]
    [InlineData("a`*b", "a*b", true)]
    [InlineData("a`*b", "axb", false)]
    [InlineData("ÄR*", "ärger", true)]
    public void NamePattern_matches_like_PowerShell_wildcards_without_regard_to_case(
        string pattern,
        string name,
        bool matches)
    {
        using var temp = new TempFolder();
        using var vault = Vault.CreateWithKeyFile(temp.File("vault.db"));
        vault.NewTarget(new TargetSpec(name, "host.example.test"));

        Assert.Equal(matches, vault.GetTargets(pattern).Any());
    }
}
