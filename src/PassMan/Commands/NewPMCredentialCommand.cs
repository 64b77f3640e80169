using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Text;
using PassMan.Commands.Hosting;
using PassMan.Crypto;
using PassMan.Generation;
using PassMan.Keys;
using PassMan.Model;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">Generates a password, PIN or SSH key, or adds one to accounts as a new credential.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "PMCredential", SupportsShouldProcess = true, DefaultParameterSetName = GenerateSet)]
[OutputType(typeof(SecureString), typeof(SshKeyCredential), typeof(Account))]
public sealed class NewPMCredentialCommand : PassManCmdlet
{
    private const string GenerateSet = "Generate";
    private const string AccountSet = "Account";
    private const string NameSet = "AccountName";
    private const string ActivityName = "New-PMCredential";

    private readonly BatchBuffer<(NewCredentialRequest Request, string Name)> _batch;
    private readonly PasswordGenerators _generators = new();

    /// <summary>Creates the command.</summary>
    public NewPMCredentialCommand() => _batch = new(WriteBatch, item => Release(item.Request));

    /// <summary>Accounts from Get-PMAccount that get the new credential.</summary>
    [Parameter(ParameterSetName = AccountSet, Mandatory = true, ValueFromPipeline = true)]
    public Account? Account { get; set; }

    /// <summary>The account's target, for accounts named by target and user name.</summary>
    [Parameter(ParameterSetName = NameSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TargetNameCompleter))]
    public string Target { get; set; } = string.Empty;

    /// <summary>The account's user name, for accounts named by target and user name.</summary>
    [Parameter(ParameterSetName = NameSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(UserNameCompleter))]
    public string UserName { get; set; } = string.Empty;

    /// <summary>Password, SshKey or Pin; Password by default.</summary>
    [Parameter(Position = 0)]
    public CredentialType CredentialType { get; set; } = CredentialType.Password;

    /// <summary>The SSH key type; by default the policy's.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SshKeyTypeCompleter))]
    public string? SshKeyType { get; set; }

    /// <summary>The policy to generate from; by default the account's, or Default.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PolicyNameCompleter))]
    public string? Policy { get; set; }

    /// <summary>A password or PIN to store instead of a generated one.</summary>
    [Parameter(ParameterSetName = AccountSet)]
    [Parameter(ParameterSetName = NameSet)]
    public SecureString? Value { get; set; }

    /// <summary>An existing private key file to store instead of a generated key.</summary>
    [Parameter(ParameterSetName = AccountSet)]
    [Parameter(ParameterSetName = NameSet)]
    public string? PrivateKeyPath { get; set; }

    /// <summary>The passphrase of an encrypted -PrivateKeyPath.</summary>
    [Parameter(ParameterSetName = AccountSet)]
    [Parameter(ParameterSetName = NameSet)]
    public SecureString? KeyPassphrase { get; set; }

    /// <summary>Whether the new credential is also set on the target; true unless -ChangeOnTarget:$false.</summary>
    [Parameter(ParameterSetName = AccountSet)]
    [Parameter(ParameterSetName = NameSet)]
    public SwitchParameter ChangeOnTarget { get; set; }

    /// <summary>Writes each changed account to the pipeline.</summary>
    [Parameter(ParameterSetName = AccountSet)]
    [Parameter(ParameterSetName = NameSet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>ChangeOnTarget defaults to true, so whether it was given decides, not its value alone.</summary>
    private bool ChangesTarget => OnUnlessTurnedOff(nameof(ChangeOnTarget), ChangeOnTarget);

    /// <inheritdoc/>
    protected override void BeginProcessing() => Validate(CheckParameters);

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == GenerateSet)
        {
            Run(GenerateAlone);
        }
        else
        {
            Run(AddToAccount);
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        _batch.Flush();
        WriteProgress(new ProgressRecord(1, ActivityName, "Done") { RecordType = ProgressRecordType.Completed });
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _batch.Dispose();
        }

        base.Dispose(disposing);
    }

    private void CheckParameters()
    {
        if (SshKeyType is not null && CredentialType != CredentialType.SshKey)
        {
            throw ProtectionParameters.Conflict("-SshKeyType goes with -CredentialType SshKey only.");
        }

        if (PrivateKeyPath is not null && CredentialType != CredentialType.SshKey)
        {
            throw ProtectionParameters.Conflict("-PrivateKeyPath goes with -CredentialType SshKey only.");
        }

        if (Value is not null && CredentialType == CredentialType.SshKey)
        {
            throw ProtectionParameters.Conflict("An SSH key is given with -PrivateKeyPath, not -Value.");
        }

        if (KeyPassphrase is not null && PrivateKeyPath is null)
        {
            throw ProtectionParameters.Conflict("-KeyPassphrase goes with -PrivateKeyPath.");
        }

        if (SshKeyType is not null)
        {
            SshKeyTypes.Require(SshKeyType);
        }
    }

    private void GenerateAlone()
    {
        var policyName = Policy ?? Model.Policy.DefaultName;
        var settings = ResolveVault().GetPolicySettings(policyName);
        if (CredentialType == CredentialType.SshKey)
        {
            using var key = GenerateKey(settings, "PassMan", "new key");
            WriteObject(new SshKeyCredential(key, userName: null));
            return;
        }

        using var secret = CredentialType == CredentialType.Pin
            ? PasswordGenerator.GeneratePin(settings.PinLength)
            : _generators.Password(settings);
        WriteVerbose($"Generated a {CredentialType} from the policy '{policyName}'.");
        WriteObject(secret.ToSecureString());
    }

    private void AddToAccount()
    {
        var vault = ResolveVault();
        var account = Account is not null
            ? new AccountRef(Id: Account.Id)
            : new AccountRef(Target: Target, UserName: UserName);
        var (target, userName, accountPolicy) = vault.GetAccountContext(account);
        var name = $"{target}/{userName}";
        var settings = Policy is null ? accountPolicy : vault.GetPolicySettings(Policy);
        var given = Value is not null || PrivateKeyPath is not null;

        // A PIN lives in the vault only, and a password given for an account is the one it has:
        // neither changes the target. A key goes into authorized_keys; a generated password would
        // have to be set on the target, which New-PMCredential does not do.
        var needsTarget = CredentialType == CredentialType.SshKey
            || (CredentialType == CredentialType.Password && !given);
        if (needsTarget && ChangesTarget && CredentialType == CredentialType.Password)
        {
            throw ErrorIds.TargetChangeRefused(name, "new " + Describe(settings));
        }

        var keyOnTarget = CredentialType == CredentialType.SshKey && ChangesTarget;

        // What the vault holds but the target does not yet have cannot be in sync.
        var status = given ? AccountStatus.Unknown : AccountStatus.NotInSync;
        var what = (given ? "Add the given " : "Add a generated ") + Describe(settings)
            + (keyOnTarget ? ", in the vault and in authorized_keys on the target"
                : needsTarget ? ", in the vault only" : string.Empty);
        if (!ShouldChange(name, what))
        {
            return;
        }

        WriteProgress(new ProgressRecord(1, ActivityName, $"{name}: {what}") { PercentComplete = -1 });
        var request = CredentialType == CredentialType.SshKey
            ? new NewCredentialRequest(
                account,
                CredentialType,
                null,
                PrivateKeyPath is null
                    ? GenerateKey(settings, $"PassMan {name}", name)
                    : ReadKey(PrivateKeyPath, $"PassMan {name}"),
                status)
            : new NewCredentialRequest(
                account,
                CredentialType,
                Value is not null
                    ? SecretInput.ToUtf8(Value, CredentialType, "-Value")
                    : CredentialType == CredentialType.Pin
                        ? PasswordGenerator.GeneratePin(settings.PinLength)
                        : _generators.Password(settings),
                null,
                status);
        if (!keyOnTarget)
        {
            _batch.Add((request, name));
            return;
        }

        try
        {
            vault.AddKeyOnTarget(account, request.Key!, useReconcile: false);
            WriteVerbose($"{name}: stored the {Describe(request)} and put it on the target.");
            if (PassThru)
            {
                WriteObject(vault.GetAccount(account));
            }
        }
        finally
        {
            Release(request);
        }
    }

    private void WriteBatch(IReadOnlyList<(NewCredentialRequest Request, string Name)> items) => Run(() =>
    {
        var vault = ResolveVault();
        var results = vault.AddCredentials(items.Select(item => item.Request).ToList());
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Error is { } error)
            {
                WriteError(error);
                continue;
            }

            WriteVerbose($"{items[i].Name}: stored the {Describe(items[i].Request)}.");
            if (PassThru)
            {
                var account = items[i].Request.Account;
                TryRun(() => WriteObject(vault.GetAccount(account)));
            }
        }
    });

    private static string Describe(NewCredentialRequest request) =>
        request.Key is { } key ? $"{key.KeyType} key {key.Fingerprint}" : request.Type.ToString();

    private static void Release(NewCredentialRequest request)
    {
        request.Value?.Dispose();
        request.Key?.Dispose();
    }

    private string Describe(PolicySettings settings) => CredentialType == CredentialType.SshKey
        ? $"{SshKeyType ?? settings.SshKeyType} key"
        : CredentialType.ToString().ToLowerInvariant();

    private SshKey GenerateKey(PolicySettings settings, string comment, string what)
    {
        var keyType = SshKeyType ?? settings.SshKeyType;
        return GenerateKey(keyType, settings.RsaKeySize, comment, ActivityName, $"{what}: generating an {keyType} key");
    }

    private SshKey ReadKey(string path, string comment)
    {
        var file = ResolveFilePath(path, "-PrivateKeyPath");
        using (var key = KeyFiles.ReadKey(file, KeyPassphrase))
        {
            if (SshKeyType is not null && key.KeyType != SshKeyType)
            {
                throw ProtectionParameters.Conflict($"The key in '{file}' is an {key.KeyType} key, not {SshKeyType}.");
            }

            return key.WithComment(comment);
        }
    }
}
