using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PassMan.Keys;
using PassMan.Model;

namespace PassMan.Tests;

/// <summary>Generates one key of each type for the whole class: RSA at 3072 bits takes a while.</summary>
public sealed class GeneratedKeys : IDisposable
{
    public GeneratedKeys()
    {
        foreach (var type in SshKeyTypes.All)
        {
            Keys[type] = SshKey.Generate(type, 3072, $"PassMan web01/alice {type}");
        }
    }

    public Dictionary<string, SshKey> Keys { get; } = new(StringComparer.Ordinal);

    public void Dispose()
    {
        foreach (var key in Keys.Values)
        {
            key.Dispose();
        }
    }
}

public sealed class SshKeyTests : IClassFixture<GeneratedKeys>, IDisposable
{
    private readonly GeneratedKeys _generated;
    private readonly TempFolder _temp = new();

    public SshKeyTests(GeneratedKeys generated) => _generated = generated;

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> KeyTypes => new(SshKeyTypes.All);

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Ssh_keygen_derives_PassMans_public_key_from_PassMans_private_key_file(string keyType)
    {
        var key = _generated.Keys[keyType];
        var file = WritePrivateKey(key);

        var derived = SshKeygen.Run("-y", "-f", file).Trim().Split(' ');

        Assert.Equal(key.PublicKey.Split(' ')[..2], derived[..2]);
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Ssh_keygen_prints_PassMans_fingerprint_bits_and_comment(string keyType)
    {
        var key = _generated.Keys[keyType];
        var file = WritePrivateKey(key);

        var listed = SshKeygen.Run("-l", "-f", file).Trim();

        Assert.StartsWith($"{key.Bits} {key.Fingerprint} {key.Comment} (", listed, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void A_written_key_reads_back_as_the_same_key(string keyType)
    {
        var key = _generated.Keys[keyType];
        using var file = key.ToOpenSshPrivateKey();

        using var read = SshKeyReader.Read(file.Span, default);

        Assert.Equal((key.KeyType, key.Fingerprint, key.Comment), (read.KeyType, read.Fingerprint, read.Comment));
        Assert.True(read.PrivateFields.SequenceEqual(key.PrivateFields));
    }

    [Theory]
    [InlineData("rsa", "2048", "ssh-rsa")]
    [InlineData("ecdsa", "256", "ecdsa-sha2-nistp256")]
    [InlineData("dsa", "1024", "ssh-dss")]
    [InlineData("ed25519", "256", "ssh-ed25519")]
    public void A_key_made_by_ssh_keygen_imports_with_its_type_fingerprint_and_comment(
        string type,
        string bits,
        string keyType)
    {
        var file = _temp.File("id_" + type);
        SshKeygen.Run("-q", "-t", type, "-b", bits, "-N", string.Empty, "-C", "made by ssh-keygen", "-f", file);

        using var key = SshKeyReader.Read(File.ReadAllBytes(file), default);

        Assert.Equal(keyType, key.KeyType);
        Assert.Equal(Fingerprint(file + ".pub"), key.Fingerprint);
        Assert.Equal("made by ssh-keygen", key.Comment);
        Assert.Equal(File.ReadAllText(file + ".pub").Trim(), key.PublicKey);
    }

    [Theory]
    [InlineData("rsa", "PEM")]
    [InlineData("ecdsa", "PKCS8")]
    [InlineData("dsa", "PEM")]
    public void A_key_in_OpenSSL_PEM_format_imports_with_the_same_fingerprint(string type, string format)
    {
        var file = _temp.File("pem_" + type);
        SshKeygen.Run("-q", "-t", type, "-m", format, "-N", string.Empty, "-f", file);

        using var key = SshKeyReader.Read(File.ReadAllBytes(file), default);

        Assert.Equal(Fingerprint(file + ".pub"), key.Fingerprint);
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("rsa")]
    [InlineData("ecdsa")]
    public void An_encrypted_key_needs_its_passphrase_and_refuses_a_wrong_one(string type)
    {
        var file = _temp.File("secret_" + type);
        SshKeygen.Run("-q", "-t", type, "-N", "the key passphrase", "-f", file);
        var bytes = File.ReadAllBytes(file);

        VaultFixtures.Fails(ErrorIds.KeyPassphraseRequired, () => SshKeyReader.Read(bytes, default).Dispose());
        VaultFixtures.Fails(ErrorIds.WrongKeyPassphrase, () => SshKeyReader.Read(bytes, "not it").Dispose());
        using var key = SshKeyReader.Read(bytes, "the key passphrase");

        Assert.Equal(Fingerprint(file + ".pub"), key.Fingerprint);
    }

    [Fact]
    public void An_encrypted_DSA_key_is_refused_with_a_way_out()
    {
        var file = _temp.File("secret_dsa");
        SshKeygen.Run("-q", "-t", "dsa", "-N", "the key passphrase", "-f", file);

        var error = VaultFixtures.Fails(
            ErrorIds.UnsupportedKeyFormat,
            () => SshKeyReader.Read(File.ReadAllBytes(file), "the key passphrase").Dispose());

        Assert.Contains("ssh-keygen -p", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_or_foreign_file_is_refused_with_its_own_error()
    {
        using var good = _generated.Keys[SshKeyTypes.Ed25519].ToOpenSshPrivateKey();
        var text = System.Text.Encoding.ASCII.GetString(good.Span);
        var lines = text.Split('\n');
        var truncated = string.Join('\n', lines.Take(2).Append(lines[^2]));

        VaultFixtures.Fails(
            ErrorIds.MalformedPrivateKey,
            () => SshKeyReader.Read(System.Text.Encoding.ASCII.GetBytes(truncated), default).Dispose());
        VaultFixtures.Fails(
            ErrorIds.UnsupportedKeyFormat,
            () => SshKeyReader.Read("just some text"u8, default).Dispose());
    }

    [Fact]
    public void Generate_refuses_an_unknown_key_type()
    {
        VaultFixtures.Fails(ErrorIds.InvalidArgument, () => SshKey.Generate("ssh-rsa1", 2048, string.Empty).Dispose());
    }

    private string WritePrivateKey(SshKey key) => _temp.WritePrivateKey(key);

    private static string Fingerprint(string publicKeyFile) => SshKeygen.Run("-l", "-f", publicKeyFile).Split(' ')[1];
}
