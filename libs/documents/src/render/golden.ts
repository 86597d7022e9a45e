import { CYCLE_DOCUMENT_KINDS, DocumentKind, Locale } from '../kinds';
import { dossierContext } from '../dossier/dossier-data';
import { dossierSample } from '../dossier/dossier-sample';
import { ledgerSampleSnapshot } from '../ledger/ledger-sample';
import { sampleSnapshot } from './samples';
import { templateName, TemplateRegistry } from './template-registry';

/**
 * The golden files of the built-in templates: each kind and language rendered from its fixture
 * (samples.ts, ledger-sample.ts), kept as exact HTML under `libs/documents/src/render/golden/`.
 * `npm run golden:update` writes them again after a deliberate change to a template or fixture.
 */
export const GOLDEN_DIR = 'libs/documents/src/render/golden';

export function goldenDocuments(registry: TemplateRegistry): Array<{ file: string; html: string }> {
  const kinds: DocumentKind[] = [...CYCLE_DOCUMENT_KINDS, 'ledger'];
  const dossier = dossierSample();
  return [
    ...kinds.flatMap((kind) =>
      (['zh', 'en'] as Locale[]).map((locale) => ({
        file: `${templateName(kind, locale)}.html`,
        html: registry.render(kind === 'ledger' ? ledgerSampleSnapshot(locale) : sampleSnapshot(kind, locale)),
      })),
    ),
    {
      file: 'dossier.html',
      html: registry.renderReport('dossier', dossierContext(dossier.data, dossier.unitName, dossier.zone, dossier.now)),
    },
  ];
}
