using System;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using PassMan.Crypto;
using PassMan.Linux;
using PassMan.Ssh;

namespace PassMan.Tests;

/// <summary>A command's standard input that keeps what was written, and whether it was closed.</summary>
internal sealed class RecordedInput : IDisposable
{
    private readonly RecordingStream _stream = new();

    public RecordedInput() => Input = new ConversationInput(_stream);

    public ConversationInput Input { get; }

    public string Written => Encoding.UTF8.GetString(_stream.ToArray());

    public bool Closed => _stream.Closed;

    public void Dispose() => Input.Dispose();

    private sealed class RecordingStream : MemoryStream
    {
        public bool Closed { get; private set; }

        // ToArray still works once a MemoryStream is closed, so the test can read what was written.
        protected override void Dispose(bool disposing)
        {
            Closed = true;
            base.Dispose(disposing);
        }
    }
}

public sealed class PasswdConversationTests : IDisposable
{
    private readonly SecretBuffer _current = new("Old-Passw0rd-1"u8);
    private readonly SecretBuffer _new = new("New-Passw0rd-2"u8);
    private readonly RecordedInput _input = new();

    public void Dispose()
    {
        _current.Dispose();
        _new.Dispose();
        _input.Dispose();
    }

    /// <summary>Feeds the output one piece at a time, as it would arrive, and returns the whole.</summary>
    private string Feed(PasswdConversation conversation, string output, params string[] pieces)
    {
        foreach (var piece in pieces)
        {
            output += piece;
            conversation.OnOutput(output, _input.Input);
        }

        return output;
    }

    [Fact]
    public void Answers_each_prompt_of_Debian_passwd_once_it_is_on_the_screen()
    {
        var conversation = new PasswdConversation(_current, _new);
        var output = Feed(conversation, string.Empty, "Changing password for alice.\n", "Curr", "ent password: ");
        Assert.Equal("Old-Passw0rd-1\n", _input.Written);

        output = Feed(conversation, output, "\nNew password: ");
        Feed(conversation, output, "\nRetype new password: ", "\npasswd: password updated successfully\n");

        Assert.Equal("Old-Passw0rd-1\nNew-Passw0rd-2\nNew-Passw0rd-2\n", _input.Written);
        Assert.Equal(PasswdStage.Sent, conversation.Stage);
    }

    [Fact]
    public void Answers_the_prompts_of_older_passwd_versions()
    {
        var conversation = new PasswdConversation(_current, _new);
        Feed(
            conversation,
            string.Empty,
            "Changing password for alice.\n(current) UNIX password: ",
            "\nEnter new UNIX password: ",
            "\nRetype new UNIX password: ");

        Assert.Equal(PasswdStage.Sent, conversation.Stage);
        Assert.Equal(3, _input.Written.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void A_new_password_prompt_that_comes_back_is_a_refusal_with_its_reason()
    {
        var conversation = new PasswdConversation(_current, _new);
        Feed(
            conversation,
            string.Empty,
            "Current password: ",
            "\nNew password: ",
            "\nBAD PASSWORD: The password is shorter than 16 characters\nNew password: ");

        Assert.Equal(PasswdStage.Refused, conversation.Stage);
        Assert.Equal("BAD PASSWORD: The password is shorter than 16 characters", conversation.RefusalReason);
        Assert.True(_input.Closed);
        Assert.Equal("Old-Passw0rd-1\nNew-Passw0rd-2\n", _input.Written);
    }

    [Fact]
    public void A_refusal_reason_that_echoes_the_new_password_holds_it_masked()
    {
        var conversation = new PasswdConversation(_current, _new);
        Feed(
            conversation,
            string.Empty,
            "Current password: ",
            "\nNew password: ",
            "New-Passw0rd-2\nBAD PASSWORD: it is based on New-Passw0rd-2\nNew password: ");

        Assert.Equal(PasswdStage.Refused, conversation.Stage);
        Assert.DoesNotContain("New-Passw0rd-2", conversation.RefusalReason, StringComparison.Ordinal);
        Assert.Contains(SecretMask.Mask, conversation.RefusalReason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_new_password_typed_twice_is_marked_as_possibly_set()
    {
        var conversation = new PasswdConversation(_current, _new);
        var output = Feed(conversation, string.Empty, "Current password: ", "\nNew password: ");
        Assert.False(conversation.TypedNewTwice);

        Feed(conversation, output, "\nRetype new password: ");

        Assert.True(conversation.TypedNewTwice);
    }

    [Fact]
    public void A_prompt_out_of_turn_stops_the_typing()
    {
        var conversation = new PasswdConversation(_current, _new);
        Feed(conversation, string.Empty, "Retype new password: ");

        Assert.Equal(PasswdStage.Unexpected, conversation.Stage);
        Assert.True(_input.Closed);
        Assert.Equal(string.Empty, _input.Written);
    }

    [Theory]
    [InlineData("Current password: is what you need\n")]
    [InlineData("Your password will expire soon.\n")]
    [InlineData("")]
    public void Text_that_is_not_a_waiting_prompt_gets_no_answer(string output)
    {
        var conversation = new PasswdConversation(_current, _new);
        conversation.OnOutput(output, _input.Input);

        Assert.Equal(string.Empty, _input.Written);
        Assert.Equal(PasswdStage.AwaitingCurrent, conversation.Stage);
    }

    [Fact]
    public void Scrub_masks_both_passwords()
    {
        var conversation = new PasswdConversation(_current, _new);

        var scrubbed = conversation.Scrub("echo Old-Passw0rd-1 and New-Passw0rd-2 twice: New-Passw0rd-2");

        Assert.Equal("echo ******** and ******** twice: ********", scrubbed);
    }
}

public sealed class SudoConversationTests : IDisposable
{
    private readonly SecretBuffer _new = new("New-Passw0rd-2"u8);
    private readonly SecretBuffer _sudo = new("Sudo-Passw0rd-3"u8);
    private readonly RecordedInput _input = new();
    private SecretBuffer? _line;

    public void Dispose()
    {
        _line?.Dispose();
        _new.Dispose();
        _sudo.Dispose();
        _input.Dispose();
    }

    private SudoConversation Chpasswd(SecretBuffer? sudoPassword)
    {
        _line?.Dispose();
        _line = SudoConversation.ChpasswdLine("alice", _new);
        return new SudoConversation("chpasswd", _line, sudoPassword);
    }

    private static string Marker(SudoConversation conversation, string name) =>
        Regex.Match(conversation.Script, "PASSMAN-[0-9A-F]{16}-").Value + name;

    [Fact]
    public void Without_a_sudo_prompt_only_the_chpasswd_line_is_written()
    {
        var conversation = Chpasswd(_sudo);
        var output = Marker(conversation, "SUDO-READY") + "\n";
        conversation.OnOutput(output, _input.Input);
        Assert.Equal(string.Empty, _input.Written);

        conversation.OnOutput(output + Marker(conversation, "RUN") + "\n", _input.Input);

        Assert.Equal("alice:New-Passw0rd-2\n", _input.Written);
        Assert.True(_input.Closed);
        Assert.False(conversation.SudoAskedPassword);
    }

    [Fact]
    public void The_sudo_password_is_typed_at_sudo_prompt_and_the_line_only_after_sudo_let_it_through()
    {
        var conversation = Chpasswd(_sudo);
        var output = "We trust you have received the usual lecture.\n" + Marker(conversation, "SUDO-PROMPT") + "\n";
        conversation.OnOutput(output, _input.Input);
        conversation.OnOutput(output, _input.Input);
        Assert.Equal("Sudo-Passw0rd-3\n", _input.Written);

        conversation.OnOutput(output + Marker(conversation, "RUN") + "\n", _input.Input);

        Assert.Equal("Sudo-Passw0rd-3\nalice:New-Passw0rd-2\n", _input.Written);
        Assert.True(conversation.SudoAskedPassword);
    }

    [Fact]
    public void A_second_sudo_prompt_means_a_wrong_password_and_nothing_more_is_typed()
    {
        var conversation = Chpasswd(_sudo);
        var prompt = Marker(conversation, "SUDO-PROMPT") + "\n";
        conversation.OnOutput(prompt, _input.Input);
        conversation.OnOutput(prompt + "Sorry, try again.\n" + prompt, _input.Input);

        Assert.True(conversation.SudoPasswordRejected);
        Assert.True(_input.Closed);
        Assert.Equal("Sudo-Passw0rd-3\n", _input.Written);
        Assert.False(conversation.LineSent);
    }

    [Fact]
    public void A_sudo_prompt_with_no_password_in_the_vault_gets_end_of_file()
    {
        var conversation = Chpasswd(sudoPassword: null);
        conversation.OnOutput(Marker(conversation, "SUDO-PROMPT") + "\n", _input.Input);

        Assert.True(_input.Closed);
        Assert.Equal(string.Empty, _input.Written);
    }

    [Fact]
    public void Markers_of_another_nonce_are_text_like_any_other()
    {
        var conversation = Chpasswd(_sudo);
        const string Foreign = "PASSMAN-0123456789ABCDEF-";
        conversation.OnOutput($"{Foreign}RUN\n{Foreign}SUDO-PROMPT\n", _input.Input);

        Assert.Equal(string.Empty, _input.Written);
        Assert.False(_input.Closed);
    }

    [Fact]
    public void Success_needs_the_line_sent_and_chpasswd_exit_status_zero()
    {
        var conversation = Chpasswd(_sudo);
        var output = Marker(conversation, "SUDO-READY") + "\n" + Marker(conversation, "RUN") + "\n";
        conversation.OnOutput(output, _input.Input);

        Assert.True(conversation.Succeeded(new CommandResult(0, output + Marker(conversation, "EXIT") + " 0\n")));
        Assert.False(conversation.Succeeded(new CommandResult(0, output + Marker(conversation, "EXIT") + " 1\n")));
        Assert.False(conversation.Succeeded(new CommandResult(0, output + Marker(conversation, "EXIT") + " 10\n")));
        var failed = output + "chpasswd: (user alice) pam_chauthtok() failed\n" + Marker(conversation, "EXIT") + " 1\n";
        Assert.Equal(
            "chpasswd: (user alice) pam_chauthtok() failed",
            conversation.Explain(new CommandResult(0, failed)));
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("-rf")]
    [InlineData("two words")]
    [InlineData("line\nbreak")]
    [InlineData("")]
    public void User_names_chpasswd_would_misread_are_refused(string userName)
    {
        var error = Assert.Throws<PassManException>(() => SudoConversation.ChpasswdLine(userName, _new).Dispose());

        Assert.Equal(ErrorIds.InvalidName, error.ErrorId);
    }

    [Fact]
    public void The_script_holds_no_secret()
    {
        var conversation = Chpasswd(_sudo);

        Assert.DoesNotContain("New-Passw0rd-2", conversation.Script, StringComparison.Ordinal);
        Assert.DoesNotContain("Sudo-Passw0rd-3", conversation.Script, StringComparison.Ordinal);
    }
}

public sealed class SecretMaskTests
{
    [Fact]
    public void Masks_every_occurrence_of_every_secret_even_among_other_scripts()
    {
        using var first = new SecretBuffer(Encoding.UTF8.GetBytes("pässwörd"));
        using var second = new SecretBuffer("s3cret"u8);

        var masked = SecretMask.Apply("x pässwörd y s3cret z pässwörds3cret", first, second, null);

        Assert.Equal("x ******** y ******** z ****************", masked);
    }

    [Fact]
    public void Text_without_a_secret_comes_back_as_it_was()
    {
        using var secret = new SecretBuffer("s3cret"u8);
        const string text = "nothing to hide here";

        Assert.Same(text, SecretMask.Apply(text, secret));
    }
}

public sealed class LinuxPasswordTests
{
    [Theory]
    [InlineData("two\nlines")]
    [InlineData("carriage\rreturn")]
    [InlineData("nul\0byte")]
    public void Passwords_that_cannot_travel_as_one_line_are_refused(string value)
    {
        using var password = new SecretBuffer(Encoding.UTF8.GetBytes(value));

        var error = Assert.Throws<PassManException>(() => LinuxAccounts.RequireTransferable(password, "web01/alice"));

        Assert.Equal(ErrorIds.UnsupportedPasswordCharacter, error.ErrorId);
        Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
    }
}
