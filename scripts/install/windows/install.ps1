<#
.SYNOPSIS
  Installs (or upgrades) the Quarkpulse agent as a Windows service. See docs/OPERATIONS.md.

.DESCRIPTION
  node.exe cannot be registered as a service by itself: it does not speak the Service Control
  Manager protocol, so the SCM would kill it after 30 s (error 1053). Instead of shipping a
  third-party wrapper (NSSM, WinSW), this script compiles a ~60-line service host from C# with
  the .NET Framework compiler every Windows has (Add-Type), registers it with sc.exe, and the host
  starts node with the agent bundle and restarts it if it exits. Stopping the service ends node;
  nothing is lost, because every report is in the on-disk spool before it is sent.

  The service runs as NT AUTHORITY\LocalService (no admin rights, no network credentials of its
  own) unless -RunAsSystem is given; the Windows Update count needs LocalSystem on some editions.
  The config (with the device credential) is readable only by that account and Administrators.

  The enrollment token (first install only) is read from the QP_TOKEN environment variable or
  from -TokenFile, and reaches the agent in its environment, never on a command line: every user
  of the machine can read any process's command line (Get-CimInstance Win32_Process), and
  process-creation auditing (event 4688), EDR and RMM tools record them. -Token is refused.

  Not run on Windows by this project's tests (there is no Windows or PowerShell on its machines);
  try it on a test machine first.

.PARAMETER Server
  The server's URL, e.g. https://monitor.example.com (first install).

.PARAMETER TokenFile
  A file holding the enrollment token alone (first install), instead of $env:QP_TOKEN.

.PARAMETER Token
  Refused: a token on the command line is visible to other users and kept in audit logs; set
  $env:QP_TOKEN or use -TokenFile.

.EXAMPLE
  $env:QP_TOKEN = 'qpe_...'; .\install.ps1 -Server https://monitor.example.com [-Ca C:\path\ca.pem]
  .\install.ps1 -Server https://monitor.example.com -TokenFile C:\path\token.txt
  .\install.ps1 -Upgrade -Bundle .\quarkpulse-agent.mjs
#>
[CmdletBinding()]
param(
  [string]$Server,
  [string]$TokenFile,
  [string]$Token,
  [string]$Ca,
  [string]$Bundle = (Join-Path $PSScriptRoot 'quarkpulse-agent.mjs'),
  [string]$Node = (Get-Command node.exe -ErrorAction SilentlyContinue).Source,
  [switch]$Upgrade,
  [switch]$RunAsSystem
)
$ErrorActionPreference = 'Stop'
$ServiceName = 'QuarkpulseAgent'
$ProgramDir = Join-Path $env:ProgramFiles 'Quarkpulse'
$DataDir = Join-Path $env:ProgramData 'Quarkpulse'
$ConfigFile = Join-Path $DataDir 'agent.json'
$StateDir = Join-Path $DataDir 'state'
$Account = if ($RunAsSystem) { 'LocalSystem' } else { 'NT AUTHORITY\LocalService' }

function Fail([string]$Message) { Write-Error "install.ps1: $Message"; exit 2 }

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) { Fail 'run from an elevated PowerShell (Run as administrator)' }
# Refused rather than warned about: by the time a warning shows, the token is in the process list
# and the audit logs, and a warning scrolls past in an RMM job while the next run repeats it.
if ($Token) { Fail '-Token is not accepted (other users and audit logs see the command line); set $env:QP_TOKEN = ''qpe_...'' first, or use -TokenFile FILE' }
if (-not (Test-Path $Bundle)) { Fail "agent bundle $Bundle not found; pass -Bundle path\to\quarkpulse-agent.mjs" }
if (-not $Node) { Fail 'node.exe not found; install Node.js 20 or newer, or pass -Node path\to\node.exe' }
$major = [int](& $Node -p 'process.versions.node.split(".")[0]')
if ($major -lt 20) { Fail "Node.js $major is too old; the agent needs 20 or newer" }
$enrollToken = $null
# A machine without a config enrolls (with -Upgrade too: there is nothing to upgrade yet).
if (-not (Test-Path $ConfigFile)) {
  if (-not $Server) { Fail '-Server is required for a first install, e.g. -Server https://monitor.example.com' }
  $enrollToken = $env:QP_TOKEN
  if ($TokenFile) {
    if (-not (Test-Path -LiteralPath $TokenFile)) { Fail "-TokenFile $TokenFile cannot be read" }
    # Get-Content reads what Windows PowerShell's "> file" writes (UTF-16) as well as UTF-8.
    $enrollToken = (Get-Content -Raw -LiteralPath $TokenFile).Trim()
  }
  if (-not $enrollToken) { Fail "an enrollment token is required for a first install: run `$env:QP_TOKEN = 'qpe_...' first (the client's token from the dashboard), or use -TokenFile FILE" }
}

# 1. Code under Program Files (Administrators write, everyone reads); data under ProgramData.
New-Item -ItemType Directory -Force -Path $ProgramDir, $DataDir, $StateDir | Out-Null
$existing = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($existing -and $existing.Status -ne 'Stopped') { Stop-Service -Name $ServiceName -Force }
Copy-Item -Force $Bundle (Join-Path $ProgramDir 'quarkpulse-agent.mjs')
$caArgs = @()
if ($Ca) {
  Copy-Item -Force $Ca (Join-Path $DataDir 'ca.pem')
  $caArgs = @('--ca', (Join-Path $DataDir 'ca.pem'))
}

# 2. Enroll once (as Administrator; the ACL below hands the config to the service account).
#    The token goes to the agent in its environment (QP_TOKEN), never on its command line.
if (-not (Test-Path $ConfigFile)) {
  $env:QP_TOKEN = $enrollToken
  try {
    & $Node (Join-Path $ProgramDir 'quarkpulse-agent.mjs') agent enroll --server $Server --config $ConfigFile --state-dir $StateDir @caArgs
    $code = $LASTEXITCODE
  } finally {
    Remove-Item Env:\QP_TOKEN -ErrorAction SilentlyContinue
  }
  if ($code -ne 0) { Fail "enrollment failed (exit $code); see the message above" }
}

# 3. Only the service account and Administrators may read the data dir (it holds the credential);
#    the account needs Modify there for credential rotation and the spool.
$sid = if ($RunAsSystem) { 'S-1-5-18' } else { 'S-1-5-19' }
& icacls.exe $DataDir /inheritance:r /grant:r "*S-1-5-32-544:(OI)(CI)F" "*${sid}:(OI)(CI)M" /T /Q | Out-Null
if ($LASTEXITCODE -ne 0) { Fail 'setting permissions on the data directory failed' }

# 4. The service host: a tiny ServiceBase that runs node and restarts it when it exits.
$hostExe = Join-Path $ProgramDir 'quarkpulse-service.exe'
$source = @"
using System;
using System.Diagnostics;
using System.ServiceProcess;
using System.Threading;
public class QuarkpulseService : ServiceBase {
  Process child; volatile bool stopping; Thread watcher;
  readonly string node, args;
  public QuarkpulseService(string node, string args) { ServiceName = "$ServiceName"; this.node = node; this.args = args; CanStop = true; CanShutdown = true; }
  protected override void OnStart(string[] a) { stopping = false; watcher = new Thread(Run) { IsBackground = true }; watcher.Start(); }
  void Run() {
    while (!stopping) {
      try {
        var psi = new ProcessStartInfo(node, args) { UseShellExecute = false, CreateNoWindow = true };
        // Tells the agent a service manager restarts it (self-update: exit 75 starts the new version).
        psi.EnvironmentVariables["QP_SERVICE_MANAGER"] = "windows-service";
        child = Process.Start(psi);
        child.WaitForExit();
      } catch (Exception e) { EventLog.WriteEntry("Application", "Quarkpulse agent: " + e.Message, EventLogEntryType.Error); }
      if (!stopping) Thread.Sleep(10000);
    }
  }
  void End() { stopping = true; try { if (child != null && !child.HasExited) { child.Kill(); child.WaitForExit(10000); } } catch { } }
  protected override void OnStop() { End(); }
  protected override void OnShutdown() { End(); }
  public static void Main(string[] argv) { ServiceBase.Run(new QuarkpulseService(argv[0], argv[1])); }
}
"@
if (Test-Path $hostExe) { Remove-Item -Force $hostExe }
Add-Type -TypeDefinition $source -Language CSharp -OutputAssembly $hostExe -OutputType ConsoleApplication -ReferencedAssemblies 'System.ServiceProcess'

$agentArgs = "--max-semi-space-size=1 --max-old-space-size=32 --jitless `"$(Join-Path $ProgramDir 'quarkpulse-agent.mjs')`" agent run --config `"$ConfigFile`""
$binPath = "`"$hostExe`" `"$Node`" `"$($agentArgs -replace '"', '\"')`""
if ($existing) {
  & sc.exe config $ServiceName binPath= $binPath obj= $Account start= auto | Out-Null
} else {
  & sc.exe create $ServiceName binPath= $binPath obj= $Account start= auto DisplayName= 'Quarkpulse Monitor agent' | Out-Null
}
if ($LASTEXITCODE -ne 0) { Fail "sc.exe could not register the service (exit $LASTEXITCODE)" }
& sc.exe description $ServiceName 'Streams health metrics of this machine to the Quarkpulse server.' | Out-Null
# Restart after 10 s, 30 s, 60 s if the host itself dies; reset the count after a day.
& sc.exe failure $ServiceName reset= 86400 actions= restart/10000/restart/30000/restart/60000 | Out-Null
Start-Service -Name $ServiceName
Write-Host "Quarkpulse agent installed: Get-Service $ServiceName; logs in the Application event log and $StateDir"
