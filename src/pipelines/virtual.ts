/** The config's virtual models (`models.virtual`), served by name through every inbound format. */
import type { Config } from '../config/schema.ts';
import type { ChatRequest } from '../core/types.ts';
import type { CallContext, ModelCaller } from './caller.ts';
import { Ensemble, N1_SUMMARY_PROMPT } from './ensemble.ts';

export class VirtualModels {
  private readonly ensembles = new Map<string, Ensemble>();

  constructor(config: Config, caller: ModelCaller) {
    for (const v of config.models.virtual) {
      if (v.type !== 'ensemble') continue;
      this.ensembles.set(
        v.name,
        new Ensemble(
          {
            name: v.name,
            members: v.members,
            summarizer: v.summarizer,
            summaryPrompt: v.summary_prompt ?? N1_SUMMARY_PROMPT,
            memberTimeoutMs: v.member_timeout,
            statusFeedback: v.status_feedback,
          },
          caller,
        ),
      );
    }
    caller.virtual = (req: ChatRequest, ctx: CallContext) => {
      const ensemble = this.ensembles.get(req.model);
      if (!ensemble) return undefined;
      return {
        complete: async () => (await ensemble.complete(req, ctx)).response,
        stream: async () => (await ensemble.stream(req, ctx)).events,
      };
    };
  }

  get(name: string): Ensemble | undefined {
    return this.ensembles.get(name);
  }

  get names(): string[] {
    return [...this.ensembles.keys()];
  }
}
