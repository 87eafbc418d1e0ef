<#
.SYNOPSIS
  Removes the Quarkpulse agent service and its code. Keeps %ProgramData%\Quarkpulse (credential
  and unsent reports) unless -Purge. Disable or delete the device on the server too.
#>
[CmdletBinding()]
param([switch]$Purge)
$ErrorActionPreference = 'Stop'
$ServiceName = 'QuarkpulseAgent'
if (Get-Service -Name $ServiceName -ErrorAction SilentlyContinue) {
  Stop-Service -Name $ServiceName -Force -ErrorAction SilentlyContinue
  & sc.exe delete $ServiceName | Out-Null
}
Remove-Item -Recurse -Force -ErrorAction SilentlyContinue (Join-Path $env:ProgramFiles 'Quarkpulse')
if ($Purge) {
  Remove-Item -Recurse -Force -ErrorAction SilentlyContinue (Join-Path $env:ProgramData 'Quarkpulse')
  Write-Host 'Quarkpulse agent removed, with its credential and spool.'
} else {
  Write-Host "Quarkpulse agent removed; $(Join-Path $env:ProgramData 'Quarkpulse') kept (-Purge removes it)."
}
