using System;
using System.Collections.Generic;
using System.Linq;
using PassMan.Keys;
using PassMan.Model;
using PassMan.Ssh;

namespace PassMan.Tests;

public sealed class HostKeyTrustTests : IClassFixture<GeneratedKeys>
{
    private static readonly DateTimeOffset s_now = DateTimeOffset.UtcNow;
    private readonly GeneratedKeys _keys;

    public HostKeyTrustTests(GeneratedKeys keys) => _keys = keys;

    private HostKey Key(string type) => new(_keys.Keys[type].PublicBlob);

    private static HostKey Other(string type) => new(SshKey.Generate(type, 2048, "other").PublicBlob);

    [Fact]
    public void Nothing_pinned_is_not_trusted()
    {
        Assert.Equal(HostKeyTrust.Verdict.NotTrusted, HostKeyTrust.Judge(Key(SshKeyTypes.Ed25519), []));
    }

    [Fact]
    public void A_pinned_key_is_trusted_by_its_key_and_a_bare_fingerprint_by_the_fingerprint()
    {
        var key = Key(SshKeyTypes.Ed25519);

        Assert.Equal(HostKeyTrust.Verdict.Trusted, HostKeyTrust.Judge(key, [HostKeyPin.Of(key, s_now)]));
        Assert.Equal(
            HostKeyTrust.Verdict.Trusted,
            HostKeyTrust.Judge(key, [new HostKeyPin(key.Fingerprint, Key: null, s_now)]));
    }

    [Fact]
    public void Another_key_of_a_pinned_type_is_a_mismatch_and_a_key_of_an_unpinned_type_is_unpinned()
    {
        var pins = new List<HostKeyPin> { HostKeyPin.Of(Key(SshKeyTypes.Ed25519), s_now) };

        Assert.Equal(HostKeyTrust.Verdict.Mismatch, HostKeyTrust.Judge(Other(SshKeyTypes.Ed25519), pins));
        Assert.Equal(HostKeyTrust.Verdict.Unpinned, HostKeyTrust.Judge(Key(SshKeyTypes.EcdsaP256), pins));
    }

    [Fact]
    public void A_set_of_keys_has_changed_when_a_pinned_type_differs_or_no_pinned_key_is_offered()
    {
        var ed25519 = Key(SshKeyTypes.Ed25519);
        var ecdsa = Key(SshKeyTypes.EcdsaP256);
        var pins = new List<HostKeyPin> { HostKeyPin.Of(ed25519, s_now) };

        Assert.False(HostKeyTrust.Changed([ed25519, ecdsa], pins));
        Assert.True(HostKeyTrust.Changed([Other(SshKeyTypes.Ed25519), ecdsa], pins));
        Assert.True(HostKeyTrust.Changed([ecdsa], pins));
        Assert.False(HostKeyTrust.Changed([ed25519, ecdsa], []));
    }

    [Fact]
    public void A_bare_fingerprint_no_offered_key_matches_makes_the_set_changed()
    {
        // ed25519 pinned with its key, and an rsa fingerprint by hand that the server no longer has.
        var ed25519 = Key(SshKeyTypes.Ed25519);
        var pins = new List<HostKeyPin>
        {
            HostKeyPin.Of(ed25519, s_now),
            new(Other(SshKeyTypes.Rsa).Fingerprint, Key: null, s_now),
        };

        Assert.Equal(HostKeyTrust.Verdict.Mismatch, HostKeyTrust.Judge(Key(SshKeyTypes.Rsa), pins));
        Assert.True(HostKeyTrust.Changed([ed25519, Key(SshKeyTypes.Rsa)], pins));
    }

    [Fact]
    public void A_connection_offers_only_the_algorithms_of_the_pinned_key_types()
    {
        var pins = new List<HostKeyPin> { HostKeyPin.Of(Key(SshKeyTypes.Rsa), s_now) };

        Assert.Equal(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"], HostKeyTrust.AlgorithmsFor(pins));
        Assert.Equal(
            HostKeyTypes.All.SelectMany(HostKeyTypes.AlgorithmsOf),
            HostKeyTrust.AlgorithmsFor([new HostKeyPin("SHA256:x", Key: null, s_now)]));
    }

    [Fact]
    public void A_host_key_names_its_type_from_the_blob_and_prints_its_fingerprint_as_ssh_keygen()
    {
        var generated = _keys.Keys[SshKeyTypes.EcdsaP256];
        var key = new HostKey(generated.PublicBlob);

        Assert.Equal(SshKeyTypes.EcdsaP256, key.KeyType);
        Assert.Equal(generated.Fingerprint, key.Fingerprint);
        Assert.Equal(generated.PublicKey.Split(' ')[..2], key.ToString().Split(' '));
    }
}
