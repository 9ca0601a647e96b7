/** The config's virtual models (`models.virtual`), served by name through every inbound format. */
import type { Config } from '../config/schema.ts';
import type { ModelCaller, VirtualModel } from './caller.ts';
import { Ensemble, N1_SUMMARY_PROMPT } from './ensemble.ts';
import { compileRules } from './output-rules.ts';
import { FINAL_PROMPT, Reasoning, STEPS_PROMPT } from './reasoning.ts';

export class VirtualModels {
  private readonly models = new Map<string, VirtualModel>();

  constructor(config: Config, caller: ModelCaller) {
    for (const [i, v] of config.models.virtual.entries()) {
      const model =
        v.type === 'ensemble'
          ? new Ensemble(
              {
                name: v.name,
                members: v.members,
                summarizer: v.summarizer,
                summaryPrompt: v.summary_prompt ?? N1_SUMMARY_PROMPT,
                memberTimeoutMs: v.member_timeout,
                statusFeedback: v.status_feedback,
              },
              caller,
            )
          : new Reasoning(
              {
                name: v.name,
                model: v.model,
                statusFeedback: v.status_feedback,
                maxSteps: v.max_steps,
                stepRetries: v.step_retries,
                stepMaxTokens: v.step_max_tokens,
                stepsPrompt: v.prompts.steps ?? STEPS_PROMPT,
                finalPrompt: v.prompts.final ?? FINAL_PROMPT,
                stages: v.prompts.stages,
                rules: compileRules(v.output_rules, `models.virtual[${i}]`),
              },
              caller,
            );
      this.models.set(v.name, model);
    }
    caller.virtual = (name) => this.models.get(name);
  }

  get(name: string): VirtualModel | undefined {
    return this.models.get(name);
  }

  get names(): string[] {
    return [...this.models.keys()];
  }
}
