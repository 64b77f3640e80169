using System.Linq;
using System.Text;
using PassMan.Crypto;
using PassMan.Keys;
using PassMan.Model;

namespace PassMan.Tests;

public sealed class CredentialResetTests : System.IDisposable
{
    private static readonly AccountRef s_alice = new(Target: "web01", UserName: "alice");

    private readonly TempFolder _temp = new();
    private readonly Vault _vault;

    public CredentialResetTests()
    {
        _vault = Vault.CreateWithKeyFile(_temp.File("vault.db"));
        _vault.NewPolicy("short-history", new PolicySettings { History = 2 });
        _vault.NewTarget(new TargetSpec("web01", "web01.example.test"));
        using var first = Secret("value-1");
        _vault.NewAccount(new AccountSpec("web01", "alice", Policy: "short-history", Password: first));
    }

    public void Dispose()
    {
        _vault.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void A_reset_makes_the_new_value_current_and_keeps_the_old_one_as_a_version()
    {
        Reset("value-2");

        using var current = _vault.CheckOut(s_alice, CredentialType.Password, null, null, "test");
        using var first = _vault.CheckOut(s_alice, CredentialType.Password, null, 1, "test");
        Assert.Equal(("value-2", 2), (Text(current), current.Version));
        Assert.Equal(("value-1", 1), (Text(first), first.Version));
        var versions = _vault.GetCredentialHistory(s_alice, CredentialType.Password, null).Select(v => v.Version);
        Assert.Equal([2, 1], versions);
        Assert.Equal("NotInSync", _vault.GetAccount(s_alice).Status);
    }

    [Fact]
    public void The_history_rule_refuses_the_last_N_values_and_accepts_older_ones()
    {
        Reset("value-2");

        Assert.Equal(ErrorIds.CredentialReused, Reset("value-1").Error?.ErrorId);
        Assert.Equal(ErrorIds.CredentialReused, Reset("value-2").Error?.ErrorId);
        Reset("value-3");
        Assert.Null(Reset("value-1").Error);
    }

    [Fact]
    public void A_past_value_sealed_for_its_history_row_does_not_open_as_the_current_one()
    {
        Reset("value-2");
        _vault.Dispose();
        VaultFixtures.Tamper(
            _temp.File("vault.db"),
            "UPDATE credentials SET secret = (SELECT secret FROM credential_versions LIMIT 1)");

        using var reopened = Vault.Open(_temp.File("vault.db"));
        VaultFixtures.Fails(
            ErrorIds.SecretTampered,
            () => reopened.CheckOut(s_alice, CredentialType.Password, null, null, null).Dispose());
    }

    [Fact]
    public void A_password_reset_on_a_target_that_cannot_be_reached_fails_and_keeps_the_old_value()
    {
        _vault.SetTarget("web01", new TargetChange(HostName: "127.0.0.1", Port: 9));
        using var value = Secret("value-2");

        VaultFixtures.Fails(
            ErrorIds.TargetUnreachable,
            () => _vault.ResetOnTarget(
                new ResetRequest(s_alice, CredentialType.Password, null, value, null, false, ChangeOnTarget: true),
                useReconcile: false));

        using var current = _vault.CheckOut(s_alice, CredentialType.Password, null, null, null);
        Assert.Equal("value-1", Text(current));
        Assert.False(_vault.GetCredentialState(s_alice, CredentialType.Password, null).HasPending);
        var failed = _vault.GetAuditLog(action: AuditActions.CredentialResetFailed).Single();
        Assert.Equal((ErrorIds.TargetUnreachable, "Failure"), (failed.ErrorId, failed.Outcome));
    }

    [Fact]
    public void An_SSH_key_reset_keeps_the_key_type_and_checks_out_the_new_key()
    {
        using (var first = SshKey.Generate(SshKeyTypes.Ed25519, 0, "first"))
        {
            _vault.AddSshKey(s_alice, first);
        }

        using var next = SshKey.Generate(SshKeyTypes.Ed25519, 0, "next");
        var result = _vault.ResetCredentials(
            [new ResetRequest(s_alice, CredentialType.SshKey, SshKeyTypes.Ed25519, null, next, true, false)]);
        using var checkedOut = _vault.CheckOut(s_alice, CredentialType.SshKey, SshKeyTypes.Ed25519, null, null);
        using var read = SshKeyReader.Read(checkedOut.Value.Span, default);

        Assert.Equal(next.Fingerprint, result[0].Value!.Fingerprint);
        Assert.Equal(next.Fingerprint, read.Fingerprint);
    }

    [Fact]
    public void A_batch_reports_each_failure_alone_and_commits_the_rest()
    {
        _vault.NewAccount(new AccountSpec("web01", "bob"));
        using var a = Secret("value-2");
        using var b = Secret("value-9");

        var results = _vault.ResetCredentials(
        [
            new ResetRequest(s_alice, CredentialType.Password, null, a, null, false, false),
            new ResetRequest(
                new AccountRef(Target: "web01", UserName: "bob"), CredentialType.Password, null, b, null, false, false),
        ]);

        Assert.Equal([null, ErrorIds.CredentialNotFound], results.Select(r => r.Error?.ErrorId));
        Assert.Equal(2, results[0].Value!.Version);
        Assert.True(_vault.VerifyAuditLog().IsValid);
    }

    private BatchResult<ResetResult> Reset(string value)
    {
        using var secret = Secret(value);
        var request = new ResetRequest(s_alice, CredentialType.Password, null, secret, null, false, false);
        return _vault.ResetCredentials([request])[0];
    }

    private static SecretBuffer Secret(string value) => new(Encoding.UTF8.GetBytes(value));

    private static string Text(CheckedOutCredential credential) => Encoding.UTF8.GetString(credential.Value.Span);
}
