/** Nederlandse teksten: the login page. Termen: zie de woordenlijst in common-nl.ts. */
import type { loginEn } from './login-en.js';

export const loginNl: Record<keyof typeof loginEn, string> = {
  'login.ssoFailed': 'single sign-on is mislukt',
  'login.title': 'Inloggen',
  'login.subtitle': 'Quarkpulse Monitor — dashboard voor technici',
  'login.withSso': 'Inloggen met {provider}',
  'login.or': 'of met je gebruikersnaam en wachtwoord',
  'login.breakGlass': 'Noodtoegang met een wachtwoord (alleen noodbeheerders)',
  'login.username': 'Gebruikersnaam',
  'login.password': 'Wachtwoord',
  'login.signingIn': 'Inloggen…',
  'login.submit': 'Inloggen',
  'login.2fa.title': 'Inloggen met tweestapsverificatie',
  'login.2fa.recoveryIntro': 'Typ een van de herstelcodes die je voor {username} hebt bewaard. Elke code werkt één keer.',
  'login.2fa.codeIntro': 'Open je authenticator-app en typ de 6-cijferige code voor Quarkpulse ({username}).',
  'login.2fa.recoveryCode': 'Herstelcode',
  'login.2fa.code': 'Code',
  'login.2fa.again': 'Voer je wachtwoord opnieuw in',
  'login.2fa.checking': 'Controleren…',
  'login.2fa.useApp': 'Toch de authenticator-app gebruiken',
  'login.2fa.useRecovery': 'Telefoon kwijt? Gebruik een herstelcode',
  'login.2fa.someoneElse': 'Als iemand anders inloggen',
};
